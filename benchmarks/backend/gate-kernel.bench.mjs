// The gated PixelCNN's gate, tanh(a)·sigmoid(b) with a per-example bias, and its gradient: the fused native kernels
// (FUSED_KERNELS of @vaejs/core, added by @vaejs/backend's native kernels) against the tfjs ops they replace, on the
// default prior's [128, 7, 7, 128] pre-activation, in alternating rounds of 20 calls; checks that both give the same
// values to the bit first.
// Usage: node benchmarks/backend/gate-kernel.bench.mjs [--rounds=5]   (after pnpm build; needs the native addon)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableFastTraining } from '@vaejs/backend';
import { FUSED_KERNELS } from '@vaejs/core';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 5);
await tf.setBackend('wasm');
console.log((await enableFastTraining({ threads: 1, native: true })).summary);
const [n, h, w, c] = [128, 7, 7, 64];
const x = tf.randomNormal([n, h, w, 2 * c], 0, 2, 'float32', 1);
const bias = tf.randomNormal([n, 2 * c], 0, 0.1, 'float32', 2);
const dy = tf.randomNormal([n, h, w, c], 0, 1, 'float32', 3);
const fusedForward = () => tf.engine().runKernel(FUSED_KERNELS.gatedActivation, { x, bias });
const fusedBackward = () => tf.engine().runKernel(FUSED_KERNELS.gatedActivationGrad, { dy, x, bias });
// the ops @vaejs/pixelcnn-prior runs where the backend has no fused gate
const opsForward = () =>
  tf.tidy(() => {
    const [a, b] = tf.split(tf.add(x, tf.reshape(bias, [n, 1, 1, 2 * c])), 2, 3);
    const t = tf.tanh(a);
    const s = tf.sigmoid(b);
    return [tf.mul(t, s), t, s];
  });
const [gated, t, s] = opsForward();
const opsBackward = () =>
  tf.tidy(() => {
    const u = tf.mul(dy, s);
    const v = tf.mul(u, t);
    const both = tf.concat([tf.sub(u, tf.mul(v, t)), tf.sub(v, tf.mul(v, s))], 0);
    return tf.reshape(tf.transpose(tf.reshape(both, [2, -1, c]), [1, 0, 2]), [n, h, w, 2 * c]);
  });
const differing = (a, b) => {
  const [p, q] = [a.dataSync(), b.dataSync()];
  let count = 0;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) count++;
  return count;
};
const [f, g] = [fusedForward(), fusedBackward()];
const reference = opsBackward();
console.log(`values differing: forward ${differing(f, gated)}, backward ${differing(g, reference)}`);
tf.dispose([f, g, reference]);
const time = (fn) => {
  const start = performance.now();
  for (let i = 0; i < 20; i++) tf.dispose(fn());
  return (performance.now() - start) / 20;
};
for (const fn of [fusedForward, opsForward, fusedBackward, opsBackward]) time(fn); // warm-up
const figures = { fusedForward: [], opsForward: [], fusedBackward: [], opsBackward: [] };
for (let round = 0; round < rounds; round++) {
  figures.fusedForward.push(time(fusedForward));
  figures.opsForward.push(time(opsForward));
  figures.fusedBackward.push(time(fusedBackward));
  figures.opsBackward.push(time(opsBackward));
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ms = (name) => median(figures[name]).toFixed(3);
console.log(`gate forward [${n}, ${h}, ${w}, ${2 * c}]: fused ${ms('fusedForward')} ms, ops ${ms('opsForward')} ms`);
console.log(
  `gate backward: fused ${ms('fusedBackward')} ms, ops ${ms('opsBackward')} ms (medians of ${rounds} rounds)`,
);
