// Benchmark of @vaejs/pixelcnn-prior: run with `pnpm bench` (builds first) or
// `node benchmarks/pixelcnn-prior/sample.bench.mjs` after `pnpm build`. Prints figures, never passes or fails on time.
// Imports the built packages by name, like a user would.
// `--full` also times the full-recompute sampler (h·w whole-network passes; minutes on the cpu backend).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerGradients } from '@vaejs/backend';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';

await tf.setBackend('cpu');
await tf.ready();
await registerGradients();

function figure(name, value, unit) {
  console.log(`${name.padEnd(70)} ${value.toFixed(value >= 100 ? 0 : 2).padStart(10)} ${unit}`);
}

const n = 64;
const config = { numCategories: 128, height: 7, width: 7 };
const prior = createPixelCnn(config);
console.log(
  `@vaejs/pixelcnn-prior benchmark (node ${process.version}, tfjs backend ${tf.getBackend()}, ` +
    `${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`,
);
console.log(`default gated config: ${JSON.stringify(prior.config)}`);

const maps = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([n, 7, 7], 0, 128, 'float32', 1)), 'int32'));
let start = performance.now();
tf.dispose(prior.logits(maps));
figure(`one forward pass, ${n} maps (first call, builds)`, performance.now() - start, 'ms');
start = performance.now();
tf.dispose(prior.logits(maps));
figure(`one forward pass, ${n} maps`, performance.now() - start, 'ms');

const optimizer = tf.train.adam(1e-3);
tf.dispose(prior.trainStep(optimizer, { x: maps }));
start = performance.now();
tf.dispose(prior.trainStep(optimizer, { x: maps }));
figure(`one training step, batch ${n}`, performance.now() - start, 'ms');

const before = tf.memory().numTensors;
start = performance.now();
const sampled = await prior.sample(n, { seed: 1 });
figure(`sample ${n} maps 7×7, K = 128, cached (default)`, performance.now() - start, 'ms');
sampled.dispose();
if (process.argv.includes('--full')) {
  start = performance.now();
  const full = await prior.sample(n, { seed: 1, cache: false });
  figure(`sample ${n} maps 7×7, K = 128, full recompute`, performance.now() - start, 'ms');
  full.dispose();
}
if (tf.memory().numTensors !== before) throw new Error('tensor leak in sampling');
tf.dispose(maps);
optimizer.dispose();
prior.dispose();
