import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';

const setup = await setupBackend(); // auto: tfjs-node-gpu → tfjs-node → wasm → cpu, whichever is installed first
console.log(setup.summary); // here (linux-x64, tfjs-backend-wasm installed, no tfjs-node), with the native kernels:
// backend: wasm, native kernels (oneDNN 2.6.3, avx512_core_bf16, 1 thread) (tfjs-node-gpu: not installed; tfjs-node: not installed)
console.log(setup.name, setup.fast, setup.threads, setup.kernels.length); // wasm true 1 30

// Fit y = x·w by gradient descent. No tensor is disposed, and the process still exits by itself.
const x = tf.tensor2d([
  [1, 0],
  [0, 1],
  [1, 1],
]);
const y = tf.tensor2d([[1], [2], [3]]);
const w = tf.variable(tf.zeros([2, 1]));
const optimizer = tf.train.sgd(0.3);
for (let step = 0; step < 100; step++) optimizer.minimize(() => tf.losses.meanSquaredError(y, tf.matMul(x, w)));
console.log(Array.from(w.dataSync(), (v) => v.toFixed(2))); // [ '1.00', '2.00' ]
