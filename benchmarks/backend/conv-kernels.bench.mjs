// The conv VAE's largest layer (x 128×14×14×32, filter 4×4×32×64, stride 2, 'same') kernel by kernel on wasm with
// enableFastTraining: forward Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, and the matMuls and transposes the
// im2col route needs. Usage: node benchmarks/backend/conv-kernels.bench.mjs [threads]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableFastTraining } from '@vaejs/backend';

await tf.setBackend('wasm');
const threads = Number(process.argv[2] ?? 1);
await enableFastTraining({ threads });
function bench(name, fn, n = 8) {
  for (let i = 0; i < 2; i++) tf.dispose(fn(i));
  const ts = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    tf.dispose(fn(i + 2));
    ts.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  ts.sort((x, y) => x - y);
  console.log(
    `${name}: min ${ts[0].toFixed(2)} med ${ts[n >> 1].toFixed(2)} ms, cpu ${((c.user + c.system) / 1000 / n).toFixed(2)} ms`,
  );
}
const x = tf.randomNormal([128, 14, 14, 32]);
const w = tf.randomNormal([4, 4, 32, 64]);
const dys = Array.from({ length: 12 }, () => tf.randomNormal([128, 7, 7, 64]));
bench('conv2d fwd c2 (cached W)', () => tf.conv2d(x, w, 2, 'same'));
const bpf = (dyv) =>
  tf
    .engine()
    .runKernel(
      'Conv2DBackpropFilter',
      { x, dy: dyv },
      { strides: 2, pad: 'same', filterShape: [4, 4, 32, 64], dataFormat: 'NHWC', dilations: 1 },
    );
bench('backpropFilter c2', (i) => bpf(dys[i]));
bench('backpropInput c2', (i) => tf.conv2dTranspose(dys[i], w, [128, 14, 14, 32], 2, 'same'));
const cols = Array.from({ length: 12 }, () => tf.randomNormal([6272, 512]));
const dyT = tf.randomNormal([64, 6272]);
bench('mm [64,6272]x[6272,512] fresh B', (i) => tf.matMul(dyT, cols[i]));
bench('mm [6272,64]x[64,512] fresh B (dy·Wt)', (i) =>
  tf.matMul(tf.reshape(dys[i], [6272, 64]), tf.reshape(w, [64, 512])),
);
bench('transpose cols 3.2M', (i) => tf.transpose(cols[i]));
// dW as dilated conv: x^T [32,14,14,128] (pad to 17?), filter dy^T [7,7,128,64], dilation 2
const pad = tf.backend_util.computeConv2DInfo([128, 14, 14, 32], [4, 4, 32, 64], 2, 1, 'same').padInfo;
console.log(pad);
const xp = tf.pad(x, [
  [0, 0],
  [pad.top, pad.bottom],
  [pad.left, pad.right],
  [0, 0],
]);
bench('dW as dilated conv', (i) =>
  tf.tidy(() => {
    const xt = tf.transpose(xp, [3, 1, 2, 0]);
    const f = tf.transpose(dys[i], [1, 2, 0, 3]);
    const o = tf.conv2d(xt, f, 1, 'valid', 'NHWC', 2);
    return tf.transpose(o, [1, 2, 0, 3]);
  }),
);
const ref = bpf(dys[0]);
const alt = tf.tidy(() => {
  const xt = tf.transpose(xp, [3, 1, 2, 0]);
  const f = tf.transpose(dys[0], [1, 2, 0, 3]);
  return tf.transpose(tf.conv2d(xt, f, 1, 'valid', 'NHWC', 2), [1, 2, 0, 3]);
});
console.log(
  'shapes',
  ref.shape,
  alt.shape,
  'maxdiff',
  tf.max(tf.abs(tf.sub(ref, alt))).dataSync()[0],
  'maxabs',
  tf.max(tf.abs(ref)).dataSync()[0],
);
