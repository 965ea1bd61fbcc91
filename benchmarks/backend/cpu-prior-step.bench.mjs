#!/usr/bin/env node
// One training step of the default PixelCNN prior (7×7 maps, 128 codes, 6 gated blocks, 64 channels) on
// tfjs-backend-cpu: with tfjs' stock kernels (`setupBackend({ backend: 'cpu', fast: false })`, what a script that
// never calls setupBackend gets) and with @vaejs/backend's cpu Conv2DBackpropFilter (`fast: true`, the default).
// Both in one process, in turn, so the load is shared. Prints named figures; never passes or fails.
//   pnpm build && node benchmarks/backend/cpu-prior-step.bench.mjs [--batch=8] [--steps=1] [--rounds=2]
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';
import { args, figure, median } from '../trainer/lib.mjs';

const batch = Number(args.batch ?? 8);
const steps = Number(args.steps ?? 1);
const rounds = Number(args.rounds ?? 2);
const times = { stock: [], fast: [] };

for (let round = 0; round < rounds; round++) {
  for (const fast of [false, true]) {
    await setupBackend({ backend: 'cpu', fast });
    const prior = createPixelCnn({ numCategories: 128, height: 7, width: 7, seed: 0 });
    const maps = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([batch, 7, 7], 0, 128, 'float32', 1)), 'int32'));
    const optimizer = tf.train.adam(1e-3);
    const step = () => tf.dispose(Object.values(prior.trainStep(optimizer, { x: maps })));
    step(); // builds the network's variables and optimizer slots
    const started = process.cpuUsage();
    for (let i = 0; i < steps; i++) step();
    const used = process.cpuUsage(started);
    times[fast ? 'fast' : 'stock'].push((used.user + used.system) / 1000 / steps);
    tf.dispose(maps);
    optimizer.dispose();
    prior.dispose();
  }
}

console.log(`\n== the default PixelCNN prior's training step on tfjs-backend-cpu, batch ${batch} ==`);
figure('CPU', `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical cores)`);
figure(
  'CPU ms/step, stock tfjs kernels',
  median(times.stock).toFixed(0),
  times.stock.map((t) => t.toFixed(0)).join(', '),
);
figure(
  "CPU ms/step, @vaejs/backend's cpu Conv2DBackpropFilter",
  median(times.fast).toFixed(0),
  times.fast.map((t) => t.toFixed(0)).join(', '),
);
figure('stock / fast', (median(times.stock) / median(times.fast)).toFixed(1));
