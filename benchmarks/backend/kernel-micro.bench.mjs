// Micro-benchmarks of the MLP VAE's largest matMul (128×784×400, plain and transposed) and of elementwise ops on
// 627k floats (Adam's passes), on wasm with enableFastTraining. Usage: node benchmarks/backend/kernel-micro.bench.mjs [threads]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableFastTraining } from '@vaejs/backend';

await tf.setBackend('wasm');
const threads = Number(process.argv[2] ?? 1);
console.log((await enableFastTraining({ threads })).summary);
const a = tf.randomNormal([128, 784]);
const b = tf.randomNormal([784, 400]);
const big = tf.randomNormal([627200]);
function bench(name, flops, fn, n = 30) {
  for (let i = 0; i < 3; i++) tf.dispose(fn());
  const ts = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    tf.dispose(fn());
    ts.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  ts.sort((x, y) => x - y);
  const med = ts[n >> 1],
    min = ts[0];
  console.log(
    `${name}: median ${med.toFixed(2)} ms, min ${min.toFixed(2)} ms, cpu ${((c.user + c.system) / 1000 / n).toFixed(2)} ms; ${flops ? `GFLOP/s med ${(flops / med / 1e6).toFixed(1)} min ${(flops / min / 1e6).toFixed(1)}` : ''}`,
  );
}
const F = 2 * 128 * 784 * 400;
bench('mm 128x784x400', F, () => tf.matMul(a, b));
bench('mm tB', F, () => tf.matMul(a, tf.transpose(b), false, true));
bench('mm tA (784x128 · 128x400)', F, () => tf.matMul(a, tf.randomNormal([128, 400]), true, false));
bench('transpose 784x400', 0, () => tf.transpose(b));
bench('mul 627k', 0, () => tf.mul(big, big));
bench('add 627k', 0, () => tf.add(big, big));
bench('mul scalar 627k', 0, () => tf.mul(big, 0.9));
bench('sqrt 627k', 0, () => tf.sqrt(tf.abs(big)));
bench('div 627k', 0, () => tf.div(big, big));
bench('tiny add x100', 0, () => {
  const s = tf.scalar(1);
  for (let i = 0; i < 100; i++) tf.dispose(tf.add(s, s));
  return s;
});
