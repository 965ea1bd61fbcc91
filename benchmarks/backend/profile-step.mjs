// Op-by-op profile of one training step (Adam, batch 128) on wasm, stock or fast: wraps every registered wasm
// kernel with a timer (self time, nested kernel calls excluded) and reports time per kernel name, plus the rest of
// the step (tfjs engine, autodiff bookkeeping, model JS) as "outside kernels".
// Usage: node benchmarks/backend/profile-step.mjs --model=mlp|conv|vqvae|prior --fast [--native] --threads=1 --steps=10
// [--unfused]: without @vaejs/core's fused kernels (FUSED_KERNELS), which the model packages then replace by tfjs ops.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableFastTraining } from '@vaejs/backend';
import { FUSED_KERNELS } from '@vaejs/core';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const steps = Number(args.steps ?? 10);
await tf.setBackend('wasm');
if (args.fast) {
  const threads = args.threads === 'all' ? 'all' : Number(args.threads ?? 1);
  console.log((await enableFastTraining({ threads, native: args.native === 'true' })).summary);
}
if (args.unfused) {
  for (const name of Object.values(FUSED_KERNELS)) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  console.log('without the fused kernels');
}
const stats = new Map();
const stack = [];
for (const config of tf.getKernelsForBackend('wasm')) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (a) => {
      const t0 = performance.now();
      stack.push(0);
      try {
        return inner(a);
      } finally {
        const total = performance.now() - t0;
        const nested = stack.pop();
        if (stack.length) stack[stack.length - 1] += total;
        const key =
          config.kernelName + (args.shapes || /MatMul|Conv2D/.test(config.kernelName) ? ` ${shapeKey(a)}` : '');
        const s = stats.get(key) ?? { ms: 0, calls: 0 };
        s.ms += total - nested;
        s.calls++;
        stats.set(key, s);
      }
    },
  });
}
function shapeKey(a) {
  const x = a.inputs.a ?? a.inputs.x ?? a.inputs.dy ?? Object.values(a.inputs)[0];
  const y = a.inputs.b ?? a.inputs.filter ?? a.inputs.dy ?? x;
  if (!x?.shape) return '';
  if (x === y || !y?.shape) return `${x.shape.join('x')}${a.attrs?.axis !== undefined ? ` axis ${a.attrs.axis}` : ''}`;
  return `${x.shape.join('x')}·${y.shape.join('x')}${a.attrs?.transposeA ? ' tA' : ''}${a.attrs?.transposeB ? ' tB' : ''}`;
}
// The models native.bench.mjs measures: @vaejs/vae's MLP (PyTorch examples/vae) and default conv VAE, the
// mnist-vqvae recipe's VQ-VAE and the mnist-prior-conditional recipe's prior, trained as users train them.
const optimizer = tf.train.adam(1e-3);
let model;
let batch;
if (args.model === 'prior') {
  const { createPixelCnn } = await import('@vaejs/pixelcnn-prior');
  model = createPixelCnn({ numCategories: 128, height: 7, width: 7, channels: 64, layers: 6, numClasses: 10 });
  batch = {
    x: tf.randomUniform([128, 7, 7], 0, 128, 'int32', 42),
    labels: tf.randomUniform([128], 0, 10, 'int32', 43),
  };
} else if (args.model === 'vqvae') {
  const { createVqVae } = await import('@vaejs/vqvae');
  const quantizer = { ema: true, deadCodeThreshold: 1 };
  model = createVqVae({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128, dataVariance: 0.0949, quantizer });
  batch = { x: tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', 42) };
} else {
  const { createVae } = await import('@vaejs/vae');
  const config =
    args.model === 'conv'
      ? { inputShape: [28, 28, 1], latentDim: 16 }
      : { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: [400] };
  model = createVae(config);
  batch = { x: tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', 42) };
}
const trainer = {
  step: () => {
    const parts = model.trainStep(optimizer, batch);
    parts.loss.dataSync();
    tf.dispose(parts);
  },
};
const x = batch;
for (let i = 0; i < 3; i++) trainer.step(x);
stats.clear();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) trainer.step(x);
const wall = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
let inKernels = 0;
let calls = 0;
for (const [, s] of rows) {
  inKernels += s.ms / steps;
  calls += s.calls / steps;
}
console.log(
  `${args.model ?? 'mlp'}: wall ${wall.toFixed(1)} ms/step, cpu ${((cpu.user + cpu.system) / 1000 / steps).toFixed(1)} ms/step, in kernels ${inKernels.toFixed(1)} ms (${calls} calls), outside kernels ${(wall - inKernels).toFixed(1)} ms`,
);
for (const [k, s] of rows.slice(0, Number(args.top ?? 40))) {
  console.log(`${(s.ms / steps).toFixed(2).padStart(8)} ms ${String(s.calls / steps).padStart(5)}×  ${k}`);
}
