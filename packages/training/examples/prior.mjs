// A PixelCNN prior over the code maps of the VQ-VAE that vqvae.mjs trained (run that first), then new digits: maps
// sampled from the prior, decoded by the VQ-VAE.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createBatches, createCodeMapDataset, loadMnist, subset } from '@vaejs/datasets';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';
import { findLatestCheckpoint, fit, writeImageGrid } from '@vaejs/training';
import { loadVqVae } from '@vaejs/vqvae';

await setupBackend();
const checkpoint = findLatestCheckpoint('runs/vqvae');
if (!checkpoint) throw new Error('runs/vqvae has no checkpoint: run vqvae.mjs first');
const vqvae = await loadVqVae(checkpoint.manifest, checkpoint.io);
const [height, width] = vqvae.latentShape; // 7×7 codes for 28×28 images

async function codeMaps(images) {
  const codes = new Int32Array(images.size * height * width);
  let offset = 0;
  for (const batch of createBatches(images, { batchSize: 512, shuffle: false })) {
    const maps = vqvae.encode(batch.x); // int32 [512, 7, 7]
    codes.set(await maps.data(), offset);
    offset += maps.size;
    tf.dispose([maps, batch]);
  }
  return createCodeMapDataset({ name: images.name, codes, height, width, numCategories: vqvae.config.codebookSize });
}
const train = await codeMaps(subset(loadMnist({ split: 'train' }), 0, 2048));
const test = await codeMaps(subset(loadMnist({ split: 'test' }), 0, 500));

// A small prior (the default has 6 blocks of 64 channels), to train in seconds.
const prior = createPixelCnn({ numCategories: 128, height, width, channels: 32, layers: 4 });
const options = { epochs: 1, batchSize: 64, learningRate: 3e-3, runDir: 'runs/prior', seed: 1, resume: 'auto' };
const [record] = (await fit(prior, { train, test }, options)).records;
console.log(record.test_loss.toFixed(2), record.test_bitsPerDim.toFixed(2)); // ≈ 1.58 ≈ 2.28: nats and bits per code

const maps = await prior.sample(16, { seed: 1 }); // int32 [16, 7, 7]
const digits = vqvae.decode(maps); // [16, 28, 28, 1]
writeImageGrid('runs/prior/digits.png', digits, { columns: 8, scale: 2 });
console.log(maps.shape, digits.shape); // [ 16, 7, 7 ] [ 16, 28, 28, 1 ]
// runs/prior/digits.png: blots after so short a training; digits after a few epochs on all of MNIST
tf.dispose([maps, digits]);
prior.dispose();
vqvae.dispose();
