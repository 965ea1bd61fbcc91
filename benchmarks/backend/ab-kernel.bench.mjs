// A/B of one fast kernel inside a training step, interleaved in one process so that the machine's load hits both
// alike: --kernel=Identity (default) toggles that kernel between its stock and its fast config every few steps.
// Usage: node benchmarks/backend/ab-kernel.bench.mjs --model=mlp|conv --kernel=Identity --threads=1 --rounds=8
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableFastTraining } from '@vaejs/backend';
import { createConvVae, createMlpVae, createTrainer } from './models.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const names = (args.kernel ?? 'Identity').split(',');
await tf.setBackend('wasm');
const stock = new Map(names.map((n) => [n, tf.getKernel(n, 'wasm')]));
await enableFastTraining({ threads: args.threads === 'all' ? 'all' : Number(args.threads ?? 1) });
const fast = new Map(names.map((n) => [n, tf.getKernel(n, 'wasm')]));
function use(map) {
  for (const [n, config] of map) {
    if (tf.getKernel(n, 'wasm')) tf.unregisterKernel(n, 'wasm');
    if (config) tf.registerKernel(config);
  }
}
const model = args.model === 'conv' ? createConvVae() : createMlpVae();
const trainer = createTrainer(model);
const x = tf.randomUniform([128, ...model.inputShape], 0, 1, 'float32', 42);
const per = Number(args.per ?? (args.model === 'conv' ? 2 : 5));
const result = { stock: [], fast: [] };
for (let round = 0; round < Number(args.rounds ?? 8); round++) {
  for (const [label, map] of [
    ['stock', stock],
    ['fast', fast],
  ]) {
    use(map);
    trainer.step(x);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < per; i++) trainer.step(x);
    const c = process.cpuUsage(c0);
    result[label].push({ cpu: (c.user + c.system) / 1000 / per, wall: (performance.now() - t0) / per });
  }
}
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const label of ['stock', 'fast']) {
  const r = result[label];
  console.log(
    `${names.join('+')} ${label}: cpu ms/step median ${med(r.map((v) => v.cpu)).toFixed(1)}, wall median ${med(r.map((v) => v.wall)).toFixed(1)}, wall min ${Math.min(...r.map((v) => v.wall)).toFixed(1)}`,
  );
}
