// The quantiser family: finite scalar quantisation (FSQ, no codebook to learn) on its own and as a VQ-VAE's
// quantiser, lookup-free quantisation (LFQ), residual VQ (RVQ) and the rotation trick as the classic quantiser's
// gradient.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createFiniteScalarQuantizer, createVqVae } from '@vaejs/vqvae';

await setupBackend();
// FSQ [8, 4, 4]: 3 channels, 8·4·4 = 128 codes (7 bits per position, as a K = 128 codebook)
const fsq = createFiniteScalarQuantizer({ levels: [8, 4, 4] });
const z = tf.randomNormal([1000, 3], 0, 1, 'float32', 1);
const result = fsq.quantize(z); // output: straight-through codes in [-1, 1]; loss 0 (nothing to learn)
console.log(fsq.codebookSize, result.indices.dtype, result.usage.dataSync()[0]); // 128 int32 0.9765625
tf.dispose([z, ...Object.values(result)]);
fsq.dispose();

// VQ-VAEs with each kind (FSQ: dim = the number of levels, codebookSize = their product); RVQ gives a code per level
const x = tf.randomUniform([8, 16, 16, 1], 0, 1, 'float32', 2);
const dims = { fsq: 3, lfq: 7, rvq: 8, vq: 8 }; // FSQ: one channel per level; LFQ: 7 bits for 128 codes
const kinds = [
  { kind: 'fsq', levels: [8, 4, 4] },
  { kind: 'lfq' },
  { kind: 'rvq', numQuantizers: 2 },
  { gradient: 'rotation' },
];
for (const quantizer of kinds) {
  const vqvae = createVqVae({
    inputShape: [16, 16, 1],
    dim: dims[quantizer.kind ?? 'vq'],
    codebookSize: 128,
    encoderFilters: [8, 16],
    quantizer,
  });
  const optimizer = tf.train.adam(1e-3);
  const parts = vqvae.trainStep(optimizer, { x });
  const codes = vqvae.encode(x);
  console.log(vqvae.quantizer.kind, vqvae.config.quantizer.gradient, codes.shape, parts.loss.dataSync()[0] > 0);
  // fsq straight-through [ 8, 4, 4 ] true
  // lfq straight-through [ 8, 4, 4 ] true
  // rvq straight-through [ 8, 4, 4, 2 ] true
  // vq rotation [ 8, 4, 4 ] true
  tf.dispose([codes, ...Object.values(parts)]);
  vqvae.dispose();
  optimizer.dispose();
}
x.dispose();
