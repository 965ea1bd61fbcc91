// Untrained stand-ins for the demo's models, built with the libraries directly (no trainer CLI), as checkpoint folders
// of @vaejs/training's run format: a 2-D MLP VAE, a small VQ-VAE (7×7 maps of 64 codes) and a PixelCNN over its maps.
// For working on the page when the trained models (scripts/train-models.sh) are not at hand; the pictures are noise.
// Usage: node scripts/make-dev-models.mjs <out folder>   (needs the packages built: pnpm run build)
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';
import { createVae } from '@vaejs/vae';
import { createVqVae } from '@vaejs/vqvae';
import { writeCheckpointFolder } from './lib/files.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/make-dev-models.mjs <out folder>');
await tf.setBackend('cpu');
const models = {
  vae: createVae({ inputShape: [28, 28, 1], latentDim: 2, arch: 'mlp', hidden: 256 }),
  vqvae: createVqVae({ inputShape: [28, 28, 1], encoderFilters: [16, 32], dim: 16, codebookSize: 64 }),
  pixelcnn: createPixelCnn({ numCategories: 64, height: 7, width: 7, channels: 32, layers: 4 }),
};
for (const [name, model] of Object.entries(models)) {
  await writeCheckpointFolder(join(out, name), model);
  model.dispose();
}
console.log(`wrote untrained vae, vqvae and pixelcnn checkpoints to ${out}`);
