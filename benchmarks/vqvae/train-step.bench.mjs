// Benchmark of @vaejs/vqvae: run with `pnpm bench` (builds first) or `node benchmarks/vqvae/train-step.bench.mjs`
// after `pnpm build`. Prints figures, never passes or fails on time. Imports the built packages by name, like a user.
// Baseline: the nearest-code lookup by broadcasting a [P, K, D] difference tensor, which the matMul form avoids.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '@vaejs/backend';
import { createVqVae, nearestCodes } from '@vaejs/vqvae';

await tf.setBackend('cpu');
await tf.ready();
await registerGradients(); // tfjs-core alone registers none

function figure(name, value, unit) {
  console.log(`${name.padEnd(70)} ${value.toFixed(value >= 100 ? 0 : 2).padStart(10)} ${unit}`);
}
function time(name, repeats, fn) {
  tf.dispose(fn()); // warm-up
  const start = performance.now();
  for (let i = 0; i < repeats; i++) tf.dispose(fn());
  figure(name, (performance.now() - start) / repeats, 'ms');
}

console.log(
  `@vaejs/vqvae benchmark (node ${process.version}, tfjs backend ${tf.getBackend()}, ` +
    `${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`,
);

const n = 32;
const z = tf.randomNormal([n * 49, 16], 0, 1, 'float32', 1);
const codebook = tf.randomNormal([128, 16], 0, 1, 'float32', 2);
time(`nearest code, ${n * 49} vectors, K = 128, D = 16 (matMul form)`, 10, () => nearestCodes(z, codebook));
time(`nearest code, same, broadcast [P, K, D] baseline`, 10, () =>
  tf.tidy(() => tf.argMin(tf.sum(tf.squaredDifference(tf.expandDims(z, 1), tf.expandDims(codebook, 0)), 2), 1)),
);

const batch = 8; // the cpu backend's convolution gradients are slow
const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 3);
for (const quantizer of [{}, { ema: true, deadCodeThreshold: 1 }]) {
  const vqvae = createVqVae({ quantizer });
  const optimizer = tf.train.adam(2e-4);
  const label = quantizer.ema ? 'EMA + restarts' : 'codebook loss';
  time(`train step, batch ${batch}, default MNIST model (${label})`, 1, () =>
    Object.values(vqvae.trainStep(optimizer, { x })),
  );
  time(`encode ${batch} images to 7×7 code maps`, 3, () => vqvae.encode(x));
  optimizer.dispose();
  vqvae.dispose();
}
tf.dispose([z, codebook, x]);
