// Runs in headless Chromium (browser-kernels.test.ts): the browser setupBackend's choices here, then every kernel its
// fast path registers, on random inputs, against the stock kernel of the same backend — or, where stock tfjs has none
// (the filter gradient and UnsortedSegmentSum on wasm), against the cpu backend's.
import '@tensorflow/tfjs-backend-cpu'; // the reference for kernels that stock wasm lacks
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../src/browser';
import { restoreKernels } from '../../src/kernels/register-fast-kernels';

/** A case; `reference: 'cpu'` where the stock kernel of the backend is known to be wrong (said beside the case). */
type Case = { kernel: string; name: string; run: () => tf.Tensor | tf.Tensor[]; reference?: 'cpu' };

/** A seeded array of `count` values in [-1, 1) (mulberry32). */
function values(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  });
}
const random = (shape: number[], seed: number) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

/** Runs `run` and reads every output back (tensors disposed). */
function read(run: Case['run']): Float32Array[] {
  const out = tf.tidy(run);
  const list = Array.isArray(out) ? out : [out];
  const arrays = list.map((tensor) => tensor.dataSync() as Float32Array);
  tf.dispose(list);
  return arrays;
}

/** max|a − b| / max|b|: the norm-wise relative error. */
function relativeError(actual: Float32Array[], expected: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((reference, i) => {
    const got = actual[i] as Float32Array;
    if (got.length !== reference.length) diff = Number.POSITIVE_INFINITY;
    for (let k = 0; k < reference.length; k++) {
      diff = Math.max(diff, Math.abs((got[k] as number) - (reference[k] as number)));
      scale = Math.max(scale, Math.abs(reference[k] as number));
    }
  });
  return scale === 0 ? diff : diff / scale;
}

const conv = (strides: number, pad: 'same' | 'valid', seed: number) => {
  const x = random([3, 9, 9, 4], seed);
  const filter = random([3, 3, 4, 6], seed + 1);
  return { x, filter, strides, pad };
};

const CASES: Case[] = [
  { kernel: 'BatchMatMul', name: 'a·b', run: () => tf.matMul(random([17, 33], 1), random([33, 9], 2)) },
  { kernel: 'BatchMatMul', name: 'aᵀ·b', run: () => tf.matMul(random([33, 17], 3), random([33, 9], 4), true) },
  {
    kernel: 'BatchMatMul',
    name: 'a·bᵀ batched',
    run: () => tf.matMul(random([4, 17, 33], 5), random([4, 9, 33], 6), false, true),
  },
  {
    kernel: '_FusedMatMul',
    name: 'relu(a·b + bias)',
    run: () =>
      tf.fused.matMul({ a: random([16, 20], 7), b: random([20, 12], 8), bias: random([12], 9), activation: 'relu' }),
  },
  {
    // stock tfjs-backend-wasm 4.22 adds the bias wrongly when b is transposed (off by up to 1.9 here, in Node too):
    // the fast kernel is checked against cpu, and the test notes the stock kernel's error
    kernel: '_FusedMatMul',
    name: 'relu(a·bᵀ + bias)',
    run: () =>
      tf.fused.matMul({
        a: random([16, 20], 7),
        b: random([12, 20], 8),
        transposeB: true,
        bias: random([12], 9),
        activation: 'relu',
      }),
    reference: 'cpu',
  },
  {
    kernel: 'Identity',
    name: 'clone (the Identity kernel) and its gradient',
    run: () => tf.grad((x) => tf.sum(tf.mul(tf.clone(x), x)))(random([5, 7], 10)),
  },
  {
    kernel: 'Conv2D',
    name: 'stride 1 same',
    run: () => {
      const c = conv(1, 'same', 11);
      return tf.conv2d(c.x as tf.Tensor4D, c.filter as tf.Tensor4D, c.strides, c.pad);
    },
  },
  {
    kernel: 'Conv2D',
    name: 'stride 2 valid',
    run: () => {
      const c = conv(2, 'valid', 13);
      return tf.conv2d(c.x as tf.Tensor4D, c.filter as tf.Tensor4D, c.strides, c.pad);
    },
  },
  {
    kernel: 'FusedConv2D',
    name: 'relu(conv + bias)',
    run: () => {
      const c = conv(2, 'same', 15);
      return tf.fused.conv2d({
        x: c.x as tf.Tensor4D,
        filter: c.filter as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: random([6], 16),
        activation: 'relu',
      });
    },
  },
  {
    kernel: 'Conv2DBackpropFilter',
    name: 'dW of a stride-2 conv',
    run: () => {
      const c = conv(2, 'same', 17);
      return tf.grad((w) =>
        tf.sum(tf.mul(tf.conv2d(c.x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), random([3, 5, 5, 6], 19))),
      )(c.filter);
    },
  },
  {
    kernel: 'Conv2DBackpropFilter',
    name: 'dW of a stride-1 conv, 1 input channel',
    run: () =>
      tf.grad((w) =>
        tf.sum(tf.square(tf.conv2d(random([2, 8, 8, 1], 20) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))),
      )(random([3, 3, 1, 5], 21)),
  },
  {
    kernel: 'Conv2DBackpropInput',
    name: 'conv2dTranspose (stride 2) and dx of a conv',
    run: () => [
      tf.conv2dTranspose(
        random([2, 4, 4, 6], 22) as tf.Tensor4D,
        random([4, 4, 3, 6], 23) as tf.Tensor4D,
        [2, 8, 8, 3],
        2,
        'same',
      ),
      tf.grad((x) =>
        tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, random([3, 3, 4, 6], 24) as tf.Tensor4D, 2, 'same'))),
      )(random([2, 9, 9, 4], 25)),
    ],
  },
  {
    kernel: 'UnsortedSegmentSum',
    name: 'segment sums, ids out of range dropped',
    run: () =>
      tf.unsortedSegmentSum(
        random([30, 5], 26),
        tf.tensor1d(
          Array.from({ length: 30 }, (_, i) => ((i * 7) % 9) - 1),
          'int32',
        ),
        7,
      ),
  },
];

export default async function run(input: { wasmPaths: string }) {
  const auto = await setupBackend({ wasmPaths: new URL(input.wasmPaths, location.href).href });
  const choice = { name: auto.name, skipped: auto.skipped, summary: auto.summary, kernels: auto.kernels };
  const results: {
    backend: string;
    kernel: string;
    name: string;
    error: number;
    against: string;
    errorToCpu?: number;
    stockToCpu?: number;
  }[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    const setup = await setupBackend({ backend, wasmPaths: new URL(input.wasmPaths, location.href).href });
    const registered = new Set(setup.kernels.map((entry) => entry.split('/')[0]));
    for (const each of CASES.filter((entry) => registered.has(entry.kernel))) {
      const fast = read(each.run);
      const added = setup.kernels.includes(`${each.kernel}/${backend} (added)`);
      await tf.setBackend('cpu');
      restoreKernels();
      const cpu = read(each.run);
      await tf.setBackend(backend);
      const stock = added ? null : read(each.run);
      await setupBackend({ backend, wasmPaths: new URL(input.wasmPaths, location.href).href });
      results.push({
        backend,
        kernel: each.kernel,
        name: each.name,
        error: relativeError(fast, stock && each.reference !== 'cpu' ? stock : cpu),
        against: added || each.reference === 'cpu' ? 'cpu' : `stock ${backend}`,
        errorToCpu: relativeError(fast, cpu),
        stockToCpu: stock ? relativeError(stock, cpu) : 0,
      });
    }
    results.push({ backend, kernel: '(registered)', name: [...registered].join(','), error: 0, against: '' });
  }
  // a conv VAE-sized training step on wasm: the filter gradient is there, the loss is finite and falls
  await setupBackend({ backend: 'wasm', wasmPaths: new URL(input.wasmPaths, location.href).href });
  const filter = tf.variable(random([3, 3, 1, 8], 30));
  const optimizer = tf.train.adam(0.01);
  const x = random([8, 12, 12, 1], 31);
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    const loss = optimizer.minimize(
      () => tf.mean(tf.square(tf.sub(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'), 0.5))) as tf.Scalar,
      true,
    ) as tf.Scalar;
    losses.push((await loss.data())[0] as number);
    loss.dispose();
  }
  return { choice, results, losses, threads: (await setupBackend({ backend: 'wasm' })).threads };
}
