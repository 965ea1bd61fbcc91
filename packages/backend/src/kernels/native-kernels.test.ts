import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from '@vaejs/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, liveBuffers, readAll, seededRandom, stockAndNative } from '../__fixtures__/kernel-compare';
import { itLoadsOnCi, native } from '../__fixtures__/native';
import { installNativeAdam, uninstallNativeAdam } from '../native-adam';
import { nativeKernelConfigs, registerFastKernels, restoreKernels } from './register-all-kernels';
import { setNativeAddon } from './utils/native-addon';
import { nativeElementwiseRoute } from './utils/native-data-movement';
import { nativeMatMulRoute } from './utils/native-mat-mul';

itLoadsOnCi();

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

/** Random NHWC convolutions: strides 1–3 (or dilations 1–2), kernels 1–4, every kind of padding. */
function convCases(seed: number, count: number): ConvCase[] {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pads: (() => Pad)[] = [
    () => 'same',
    () => 'valid',
    () => int(0, 2),
    () => [
      [0, 0],
      [int(0, 2), int(0, 2)],
      [int(0, 2), int(0, 2)],
      [0, 0],
    ],
  ];
  return Array.from({ length: count }, (_, i) => {
    const filterShape: ConvCase['filterShape'] = [int(1, 4), int(1, 4), int(1, 9), int(1, 12)];
    const dilated = i % 5 === 4;
    const dilations: [number, number] = dilated ? [int(1, 2), int(1, 2)] : [1, 1];
    const strides: [number, number] = dilated ? [1, 1] : [int(1, 3), int(1, 3)];
    const xShape: ConvCase['xShape'] = [
      int(1, 3),
      int(filterShape[0] * 2 + 1, 11),
      int(filterShape[1] * 2 + 1, 11),
      filterShape[2],
    ];
    return { xShape, filterShape, strides, dilations, pad: pads[i % pads.length]!() };
  });
}

function outShapeOf(c: ConvCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, c.dilations, c.pad as 'same').outShape;
}

/** The same computation on the stock cpu backend (tensors move there and back). */
async function onCpu<T>(compute: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return compute();
  } finally {
    await tf.setBackend('wasm');
  }
}

function withFast<T>(compute: () => T): T {
  registerFastKernels();
  try {
    return compute();
  } finally {
    restoreKernels();
  }
}

/** On the stock wasm kernels (nothing registered). */
function onStock<T>(compute: () => T): T {
  restoreKernels();
  return compute();
}

function withNative<T>(compute: () => T): T {
  setNativeAddon(native.addon);
  registerFastKernels(nativeKernelConfigs);
  try {
    return compute();
  } finally {
    restoreKernels();
    setNativeAddon(null);
  }
}

describe.runIf(native.addon != null)('native kernels on wasm (oneDNN)', () => {
  const addon = native.addon!;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    nativeMatMulRoute.minMacs = 0; // every product through the addon, however small
  });
  afterEach(() => {
    restoreKernels();
    setNativeAddon(null);
    nativeMatMulRoute.minMacs = 1;
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('say which library and instruction set they run', () => {
    const info = addon.info();
    expect(info.library).toBe('oneDNN');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.isa).toMatch(/^(sse41|avx|avx2|avx2_vnni|avx512_\w+)$/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it('BatchMatMul: every transpose, batched and broadcast operands, like the stock kernel', () => {
    const random = seededRandom(5);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const before = liveBuffers();
    for (let i = 0; i < 24; i++) {
      const [m, n, k] = [int(1, 40), int(1, 40), int(1, 40)];
      const transposeA = i % 2 === 1;
      const transposeB = i % 4 >= 2;
      const batch = int(2, 4);
      // rank 2 × rank 2, batched × batched, batched × one, one × batched
      const [batchA, batchB] = (
        [
          [0, 0],
          [batch, batch],
          [batch, 1],
          [1, batch],
        ] as const
      )[Math.floor(i / 4) % 4]!;
      const aCore = transposeA ? [k, m] : [m, k];
      const bCore = transposeB ? [n, k] : [k, n];
      const a = tf.randomNormal(batchA ? [batchA, ...aCore] : aCore, 0, 1, 'float32', i);
      const b = tf.randomNormal(batchB ? [batchB, ...bCore] : bCore, 0, 1, 'float32', i + 100);
      const result = stockAndNative(addon, () => readAll(() => tf.matMul(a, b, transposeA, transposeB)));
      expectSame(result);
      tf.dispose([a, b]);
    }
    expect(liveBuffers()).toBe(before);
  });

  it.each(['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const)(
    '_FusedMatMul with bias and %s: values and gradients like the stock kernels',
    (activation) => {
      const a = tf.randomNormal([16, 24], 0, 1, 'float32', 1);
      const b = tf.randomNormal([24, 12], 0, 1, 'float32', 2);
      const bias = tf.randomNormal([12], 0, 1, 'float32', 3);
      const alpha = tf.randomNormal([12], 0.1, 0.01, 'float32', 4);
      const dy = tf.randomNormal([16, 12], 0, 1, 'float32', 5);
      const f = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
        tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: w as tf.Tensor2D,
          bias: c,
          activation,
          ...(activation === 'prelu' ? { preluActivationWeights: alpha } : {}),
          ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.3 } : {}),
        });
      const result = stockAndNative(addon, () => readAll(() => [f(a, b, bias), ...tf.grads(f)([a, b, bias], dy)]));
      expectSame(result);
      tf.dispose([a, b, bias, alpha, dy]);
    },
  );

  it('_FusedMatMul of a transposed batch against one matrix (dense layers on rank-3 input) like the stock kernel', () => {
    const a = tf.randomNormal([3, 20, 7], 0, 1, 'float32', 1);
    const b = tf.randomNormal([9, 20], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([1], 0, 1, 'float32', 3);
    const result = stockAndNative(addon, () =>
      readAll(() =>
        tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor2D, transposeA: true, transposeB: true, bias }),
      ),
    );
    expectSame(result);
    tf.dispose([a, b, bias]);
  });

  // (the stock cpu kernels are the reference for convolutions: stock wasm's Conv2D corrupts its heap on some of these
  // numeric paddings, and its Conv2DBackpropInput ignores dilations)
  it('Conv2D and FusedConv2D (bias, relu) on random shapes, strides, dilations and paddings like the stock kernels', async () => {
    const before = liveBuffers();
    for (const [i, c] of convCases(31, 20).entries()) {
      const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
      const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 50);
      const bias = tf.randomNormal([c.filterShape[3]], 0, 1, 'float32', i + 60);
      const conv = (activation: 'linear' | 'relu') =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: w as tf.Tensor4D,
          strides: c.strides,
          pad: c.pad as 'same',
          dilations: c.dilations,
          bias,
          activation,
        });
      const compute = () =>
        readAll(() => [
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad as 'same', 'NHWC', c.dilations),
          conv('linear'),
          conv('relu'),
        ]);
      expectSame({ stock: await onCpu(compute), fast: withNative(compute) });
      tf.dispose([x, w, bias]);
    }
    expect(liveBuffers()).toBe(before);
  });

  it('Conv2DBackpropInput and Conv2DBackpropFilter like the stock cpu kernels (dilated: like the fast ones)', async () => {
    for (const [i, c] of convCases(32, 20).entries()) {
      const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
      const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 50);
      const dy = tf.randomNormal(outShapeOf(c), 0, 1, 'float32', i + 60);
      const common = { strides: c.strides, pad: c.pad, dilations: c.dilations, dataFormat: 'NHWC' };
      const backpropInput = () =>
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: c.xShape }) as tf.Tensor;
      const backpropFilter = () =>
        tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: c.filterShape }) as tf.Tensor;
      const compute = () => readAll(() => [backpropInput(), backpropFilter()]);
      const nativeResult = withNative(compute);
      // tfjs' own kernels ignore a dilations attribute on the two gradients (tfjs' conv2d gradient refuses dilations);
      // the fast wasm kernels and the native ones compute the dilated gradients: the reference there is the fast one.
      const dilated = c.dilations[0] > 1 || c.dilations[1] > 1;
      const reference = dilated ? withFast(compute) : await onCpu(compute);
      expectSame({ stock: reference, fast: nativeResult });
      tf.dispose([x, w, dy]);
    }
  });

  it('give the stock cpu values and gradients of conv2d and conv2dTranspose', async () => {
    for (const [i, c] of convCases(33, 10).entries()) {
      const pad = typeof c.pad === 'string' ? c.pad : 'same';
      const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
      const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1);
      const yShape = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, pad).outShape;
      const y = tf.randomNormal(yShape, 0, 1, 'float32', i + 2);
      const dy = tf.randomNormal(yShape, 0, 1, 'float32', i + 3);
      const dx = tf.randomNormal(c.xShape, 0, 1, 'float32', i + 4);
      const compute = () =>
        readAll(() => [
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, pad),
          ...tf.grads((xx, ww) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, pad))([x, w], dy),
          tf.conv2dTranspose(y as tf.Tensor4D, w as tf.Tensor4D, c.xShape, c.strides, pad),
          ...tf.grads((yy, ww) => tf.conv2dTranspose(yy as tf.Tensor4D, ww as tf.Tensor4D, c.xShape, c.strides, pad))(
            [y, w],
            dx,
          ),
        ]);
      const fast = withNative(compute);
      const stock = await onCpu(compute);
      expectSame({ stock, fast });
      tf.dispose([x, w, y, dy, dx]);
    }
  });

  it('leave NCHW to the fallback kernels (which reject it as before)', () => {
    const x = tf.zeros([1, 2, 5, 5]);
    const w = tf.zeros([3, 3, 2, 4]);
    const run = () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NCHW');
    let stockError = '';
    try {
      run().dispose();
    } catch (error) {
      stockError = (error as Error).message;
    }
    let nativeError = '';
    withNative(() => {
      try {
        run().dispose();
      } catch (error) {
        nativeError = (error as Error).message;
      }
    });
    expect(nativeError).toBe(stockError);
    tf.dispose([x, w]);
  });
});

describe.runIf(native.addon != null)('native element-wise and data-movement kernels on wasm', () => {
  const addon = native.addon!;
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterEach(() => {
    restoreKernels();
    setNativeAddon(null);
    nativeElementwiseRoute.minElements = 1;
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('Tanh within 1e-6 of the stock kernel over the whole float range that matters, and its gradient', () => {
    nativeElementwiseRoute.minElements = 0;
    const x = tf.linspace(-12, 12, 20001);
    const dy = tf.randomNormal([20001], 0, 1, 'float32', 1);
    const result = stockAndNative(addon, () =>
      readAll(() => [tf.tanh(x), ...tf.grads((v: tf.Tensor) => tf.tanh(v))([x], dy)]),
    );
    expectSame(result, 1e-6);
    // relative to each value, not only to the largest
    const [stock] = result.stock;
    const [fast] = result.fast;
    for (let i = 0; i < stock!.length; i++) {
      const scale = Math.max(Math.abs(stock![i]!), 1e-30);
      expect(Math.abs(fast![i]! - stock![i]!) / scale).toBeLessThanOrEqual(1e-5);
    }
    tf.dispose([x, dy]);
  });

  it('Tanh and the fused gate at ±∞ and NaN: ±1, 1·sigmoid, NaN (as std::tanh), not NaN for every non-finite', () => {
    const x = tf.tensor1d([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.0001, -1e-8]);
    const gateInput = tf.tensor2d([
      [Number.POSITIVE_INFINITY, 0],
      [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
    ]);
    const [tanh, gated] = withNative(() =>
      readAll(() => [tf.tanh(x), tf.engine().runKernel(FUSED_KERNELS.gatedActivation, { x: gateInput }) as tf.Tensor]),
    );
    expect(Array.from(tanh!)).toEqual([1, -1, Number.NaN, Math.fround(0.0001), Math.fround(-1e-8)]);
    expect(Array.from(gated!)).toEqual([0.5, -1]);
    tf.dispose([x, gateInput]);
  });

  it('Slice, Transpose and Sum give the stock values (ranks 1–4, every permutation, leading, middle and trailing axes)', () => {
    nativeElementwiseRoute.minElements = 0;
    const x = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 2);
    const before = liveBuffers();
    const compute = () =>
      readAll(() => [
        tf.slice(x, [1, 0, 2, 1], [2, 5, 2, 4]),
        tf.slice(x, [0, 3, 0, 0], [-1, 2, -1, -1]),
        tf.slice(tf.reshape(x, [15, 24]), [4, 3], [7, 10]),
        tf.slice(tf.reshape(x, [360]), 17, 100),
        ...[
          [0, 1, 2, 3],
          [3, 1, 2, 0],
          [1, 2, 0, 3],
          [2, 3, 0, 1],
          [3, 2, 1, 0],
        ].map((perm) => tf.transpose(x, perm)),
        tf.transpose(tf.reshape(x, [15, 24])),
        tf.transpose(tf.reshape(x, [15, 4, 6]), [2, 0, 1]),
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, 0, true),
        tf.sum(x, [2, 3]),
        tf.sum(x, -1),
        tf.sum(x, [1, 2]), // middle axes (a per-example bias's gradient)
        tf.sum(x, [1, 2], true),
        tf.sum(tf.reshape(x, [3, 1, 5, 24]), [0, 2]), // one run once the axis of size 1 is set aside
        tf.sum(x, [0, 2]), // two runs: the wasm kernel
      ]);
    const result = stockAndNative(addon, compute);
    expectSame(result, 0);
    expect(liveBuffers()).toBe(before);
    tf.dispose(x);
  });

  it('Exp within 1e-6 of the stock kernel (and 1e-5 of each value), and its gradient', () => {
    nativeElementwiseRoute.minElements = 0;
    // up to 88.5 (exp(88.73) is +∞ for both, which the norm-wise error cannot compare: checked value by value below)
    const x = tf.concat([tf.linspace(-90, 88.5, 40000), tf.tensor1d([89, Number.NaN, -1e9])]);
    const dy = tf.randomUniform([40003], -1, 1, 'float32', 1); // |dy| ≤ 1: dy · e^88.5 stays finite
    const finite = (values: Float32Array[]) => values.map((v) => v.slice(0, 40000));
    const result = stockAndNative(addon, () =>
      readAll(() => [tf.exp(x), ...tf.grads((v: tf.Tensor) => tf.exp(v))([x], dy)]),
    );
    expectSame({ stock: finite(result.stock), fast: finite(result.fast) }, 1e-6);
    const [stock] = result.stock;
    const [fast] = result.fast;
    for (let i = 0; i < stock!.length; i++) {
      // below the smallest normal float the addon gives 0 (stock wasm a denormal); ±∞ and NaN alike
      if (stock![i]! < 1.2e-38) expect(fast![i]!).toBeLessThan(1.2e-38);
      else if (!Number.isFinite(stock![i]!)) expect(fast![i]).toBe(stock![i]);
      else expect(Math.abs(fast![i]! - stock![i]!) / stock![i]!).toBeLessThanOrEqual(1e-5);
    }
    tf.dispose([x, dy]);
  });

  it('GatherV2 of rows, PadV2, SplitV and Concat give the stock values; an index out of range the stock error', () => {
    nativeElementwiseRoute.minElements = 0;
    const table = tf.randomNormal([50, 3, 4], 0, 1, 'float32', 3);
    const indices = tf.tensor2d([0, 49, 7, 7, 12, 3], [2, 3], 'int32');
    const x = tf.randomNormal([2, 5, 3, 6], 0, 1, 'float32', 4);
    const compute = () =>
      readAll(() => [
        tf.gather(table, indices),
        tf.gather(table, tf.tensor1d([5, 5, 1], 'int32')),
        tf.gather(table, tf.tensor1d([2, 0, 1, 1], 'int32'), 1), // another axis: the wasm kernel
        tf.pad(x, [
          [0, 1],
          [2, 0],
          [1, 1],
          [3, 2],
        ]),
        tf.pad(
          tf.reshape(x, [10, 18]),
          [
            [1, 2],
            [0, 3],
          ],
          0.5,
        ),
        tf.pad(tf.reshape(x, [180]), [[4, 1]]),
        ...tf.split(x, [2, 4], 3),
        ...tf.split(x, 5, 1),
        ...tf.split(tf.reshape(x, [10, 18]), [1, 9], 0),
        tf.concat([x, tf.mul(x, 2)], 0), // the stacks of a PixelCNN block
        tf.concat([x, tf.slice(x, [0, 0, 0, 0], [2, 5, 3, 2]), x], 3),
        tf.concat([tf.reshape(x, [2, 90]), tf.zeros([2, 0]), tf.ones([2, 4])], 1),
        tf.concat([tf.reshape(x, [180]), tf.reshape(x, [180])]),
      ]);
    expectSame(stockAndNative(addon, compute), 0);
    const bad = tf.tensor1d([3, 50], 'int32');
    const message = (run: () => void) => {
      try {
        run();
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const stockError = message(() => tf.gather(table, bad).dataSync());
    const nativeError = withNative(() => message(() => tf.gather(table, bad).dataSync()));
    expect(nativeError).toBe(stockError);
    tf.dispose([table, indices, x, bad]);
  });

  it('Add, Sub and Multiply give the stock values: same shapes, scalars, biases, per-example terms, others (stock)', () => {
    nativeElementwiseRoute.minElements = 0;
    const a = tf.randomNormal([4, 3, 5, 6], 0, 1, 'float32', 5);
    const b = tf.randomNormal([4, 3, 5, 6], 0, 1, 'float32', 6);
    const c = tf.randomNormal([6], 0, 1, 'float32', 7);
    const d = tf.randomNormal([1, 5, 6], 0, 1, 'float32', 8);
    const e = tf.randomNormal([4, 1, 1, 6], 0, 1, 'float32', 9);
    const compute = () =>
      readAll(() =>
        [tf.add, tf.sub, tf.mul].flatMap((op) => [
          op(a, b),
          op(a, c),
          op(c, a),
          op(d, a),
          op(a, tf.scalar(1.5)),
          op(tf.scalar(1.5), a), // sigmoid's gradient: 1 − y
          op(a, e), // a per-example term [n, 1, 1, c]
          op(e, a),
          op(tf.reshape(c, [6, 1]), tf.reshape(c, [1, 6])), // both broadcast
          op(tf.reshape(a, [4, 1, 15, 6]), tf.reshape(b, [1, 4, 15, 6])), // the same, over a run of axes
          op(tf.reshape(c, [2, 1, 3, 1]), tf.reshape(c, [1, 2, 1, 3])), // four runs: the wasm kernel
        ]),
      );
    expectSame(stockAndNative(addon, compute), 0);
    tf.dispose([a, b, c, d, e]);
  });

  it('Sigmoid within 1e-6 of the stock kernel (and 1e-5 of each value), and its gradient', () => {
    nativeElementwiseRoute.minElements = 0;
    const x = tf.concat([tf.linspace(-100, 100, 40001), tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, -1e30])]);
    const dy = tf.randomNormal([40004], 0, 1, 'float32', 1);
    const result = stockAndNative(addon, () =>
      readAll(() => [tf.sigmoid(x), ...tf.grads((v: tf.Tensor) => tf.sigmoid(v))([x], dy)]),
    );
    const finite = (values: Float32Array[]) => values.map((v) => v.slice(0, 40001));
    expectSame({ stock: finite(result.stock), fast: finite(result.fast) }, 1e-6);
    const [stock] = result.stock;
    const [fast] = result.fast;
    for (let i = 0; i < stock!.length; i++) {
      if (stock![i]! < 1.2e-38 || Number.isNaN(stock![i]!))
        expect(fast![i]! < 1.2e-38 || Number.isNaN(fast![i]!)).toBe(true);
      else expect(Math.abs(fast![i]! - stock![i]!) / stock![i]!).toBeLessThanOrEqual(1e-5);
    }
    expect([...fast!.slice(40001)]).toEqual([Number.NaN, 1, 0]);
    tf.dispose([x, dy]);
  });

  it('Log1p within 2e-7 of the exact value from −1 to 1e30 (stock wasm computes log(1 + x): 1e-3 off near 0)', () => {
    nativeElementwiseRoute.minElements = 0;
    const values = [
      ...Array.from({ length: 20000 }, (_, i) => -1 + (i + 1) * 1e-4), // (−1, 1]
      ...Array.from({ length: 400 }, (_, i) => 10 ** (-30 + i / 10)), // 1e-30 … 1e10
      ...Array.from({ length: 400 }, (_, i) => -(10 ** (-30 + i / 14))), // −1e-30 … −0.7
      1e30,
    ].map(Math.fround);
    const x = tf.tensor1d(values);
    const dy = tf.randomNormal([values.length], 0, 1, 'float32', 2);
    const [value, gradient] = withNative(() =>
      readAll(() => [tf.log1p(x), ...tf.grads((v: tf.Tensor) => tf.log1p(v))([x], dy)]),
    );
    values.forEach((v, i) => {
      const exact = Math.log1p(v);
      expect(Math.abs(value![i]! - exact) / Math.max(Math.abs(exact), 1e-45), `log1p(${v})`).toBeLessThanOrEqual(2e-7);
    });
    // the gradient dy / (1 + x) is the stock one (Log1p's gradient does not call Log1p)
    const [, stockGradient] = onStock(() =>
      readAll(() => [tf.log1p(x), ...tf.grads((v: tf.Tensor) => tf.log1p(v))([x], dy)]),
    );
    expect([...gradient!]).toEqual([...stockGradient!]);
    const stockNearZero = onStock(() => readAll(() => [tf.log1p(tf.tensor1d([1e-5]))]))[0]![0]!;
    expect(Math.abs(stockNearZero - Math.log1p(Math.fround(1e-5))) / 1e-5).toBeGreaterThan(1e-4); // why not the stock
    const edges = tf.tensor1d([-1, -2, Number.NaN, Number.POSITIVE_INFINITY, 0]);
    const edgeValues = withNative(() => readAll(() => [tf.log1p(edges)]))[0]!;
    expect([...edgeValues]).toEqual([Number.NEGATIVE_INFINITY, Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, 0]);
    tf.dispose([x, dy, edges]);
  });

  it('Conv2DBackpropInput to a few channels (the last transposed conv of a decoder, as a GEMM) like the stock cpu kernel', async () => {
    for (const [i, [xShape, filterShape, strides]] of (
      [
        [[3, 28, 28, 1], [4, 4, 1, 32], 2],
        [[2, 28, 28, 1], [3, 3, 1, 32], 1],
        [[2, 16, 12, 3], [3, 3, 3, 16], 2],
        [[2, 9, 9, 4], [5, 5, 4, 8], 2],
      ] as const
    ).entries()) {
      const yShape = tf.backend_util.computeConv2DInfo([...xShape], [...filterShape], strides, 1, 'same').outShape;
      const y = tf.randomNormal(yShape, 0, 1, 'float32', i);
      const w = tf.randomNormal([...filterShape], 0, 1, 'float32', i + 1);
      const dx = tf.randomNormal([...xShape], 0, 1, 'float32', i + 2);
      const transpose = (yy: tf.Tensor, ww: tf.Tensor) =>
        tf.conv2dTranspose(yy as tf.Tensor4D, ww as tf.Tensor4D, [...xShape], strides, 'same');
      const compute = () => readAll(() => [transpose(y, w), ...tf.grads(transpose)([y, w], dx)]);
      expectSame({ stock: await onCpu(compute), fast: withNative(compute) });
      tf.dispose([y, w, dx]);
    }
  });

  it('route scalars, biases and per-example terms of Add, Sub and Multiply to the addon', () => {
    const calls: number[][] = [];
    const counting = {
      ...addon,
      binary: (...args: Parameters<typeof addon.binary>) => {
        calls.push(args.slice(4) as number[]);
        addon.binary(...args);
      },
    };
    const x = tf.randomNormal([8, 7, 7, 64], 0, 1, 'float32', 1);
    const perExample = tf.randomNormal([8, 1, 1, 64], 0, 1, 'float32', 2);
    setNativeAddon(counting);
    registerFastKernels(nativeKernelConfigs);
    tf.dispose([tf.sub(1, x), tf.add(x, perExample), tf.mul(x, tf.ones([64]))]);
    expect(calls).toEqual([
      [1, 1, 25088, 6, 7],
      [8, 49, 64, 7, 5],
      [1, 392, 64, 7, 5],
    ]);
    tf.dispose([x, perExample]);
  });

  it('the fused gate (FUSED_KERNELS): the values of the tfjs ops it replaces to the bit, with and without a bias', () => {
    nativeElementwiseRoute.minElements = 0; // the unfused ops on the addon too, as in training
    const cases: [number[], boolean][] = [
      [[3, 4, 5, 14], false], // C = 7: no vector width
      [[2, 3, 3, 600], true], // C = 300, a per-example bias
      [[4, 2, 130], true], // rank 3
      [[0, 7, 7, 8], false], // empty
    ];
    for (const [shape, withBias] of cases) {
      const n = shape[0]!;
      const channels = shape[shape.length - 1]! / 2;
      // values over the whole range that matters, and beyond (tanh and sigmoid saturate)
      const x = tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 21), tf.linspace(0.001, 30, shape[shape.length - 1]!));
      const bias = withBias ? tf.randomNormal([n, 2 * channels], 0, 1, 'float32', 22) : undefined;
      const dy = tf.randomNormal([...shape.slice(0, -1), channels], 0, 1, 'float32', 23);
      const result = withNative(() => {
        const inputs: tf.NamedTensorMap = bias ? { x, bias } : { x };
        const fused = readAll(() => [
          tf.engine().runKernel(FUSED_KERNELS.gatedActivation, inputs) as tf.Tensor,
          tf.engine().runKernel(FUSED_KERNELS.gatedActivationGrad, { ...inputs, dy }) as tf.Tensor,
        ]);
        const unfused = readAll(() => {
          const biased = bias ? tf.add(x, tf.reshape(bias, [n, ...shape.slice(1, -1).map(() => 1), 2 * channels])) : x;
          const [a, b] = tf.split(biased, 2, -1);
          const t = tf.tanh(a!);
          const s = tf.sigmoid(b!);
          const u = tf.mul(dy, s);
          const v = tf.mul(u, t);
          return [tf.mul(t, s), tf.concat([tf.sub(u, tf.mul(v, t)), tf.sub(v, tf.mul(v, s))], -1)];
        });
        return { stock: unfused, fast: fused };
      });
      for (const i of [0, 1]) {
        expect(result.fast[i]!.length, `${shape} output ${i}`).toBe(result.stock[i]!.length);
        expect(result.fast[i], `${shape} output ${i}`).toEqual(result.stock[i]);
      }
      tf.dispose([x, bias, dy]);
    }
  });

  it('the fused gate refuses what it does not compute, in one line naming the input', () => {
    const run = (inputs: Record<string, tf.Tensor>, grad = false) =>
      withNative(() =>
        tf.dispose(
          tf.engine().runKernel(grad ? FUSED_KERNELS.gatedActivationGrad : FUSED_KERNELS.gatedActivation, inputs),
        ),
      );
    const odd = tf.ones([2, 3, 5]);
    const x = tf.ones([2, 3, 4]);
    expect(() => run({ x: odd })).toThrow(
      'VaejsGatedActivation: expected x float32 of rank ≥ 2 with an even, non-zero last axis, got float32 [2,3,5].',
    );
    expect(() => run({ x, bias: tf.ones([3, 4]) })).toThrow(
      'VaejsGatedActivation: expected bias float32 [2, 4], got float32 [3,4].',
    );
    expect(() => run({ x, dy: tf.ones([2, 3, 4]) }, true)).toThrow(
      'VaejsGatedActivationGrad: expected dy float32 [2,3,2], got float32 [2,3,4].',
    );
    expect(() => run({ x, dy: tf.ones([3, 2, 2]) }, true)).toThrow(
      'VaejsGatedActivationGrad: expected dy float32 [2,3,2], got float32 [3,2,2].',
    );
    expect(() => run({ x }, true)).toThrow('VaejsGatedActivationGrad: expected dy float32 [2,3,2], got none.');
  });

  it('the fused VAE loss kernels (FUSED_KERNELS): the values of the tfjs ops they replace to the bit', () => {
    // the unfused ops on the addon too, as in training (every non-empty tensor: nativeElementwiseRoute's default)
    type Case = { shape: number[]; tensors: () => Record<'logits' | 'x' | 'mean' | 'logVar' | 'epsilon', tf.Tensor> };
    const random = (shape: number[]): Case => ({
      shape,
      tensors: () => ({
        // logits over the whole range that matters and beyond (exp under- and overflows), targets in [0, 1]
        logits: tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 31), 40),
        x: tf.randomUniform(shape, 0, 1, 'float32', 32),
        mean: tf.randomNormal(shape, 0, 2, 'float32', 33),
        logVar: tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 34), 30),
        epsilon: tf.randomNormal(shape, 0, 1, 'float32', 35),
      }),
    });
    const inf = Number.POSITIVE_INFINITY;
    const special: Case = {
      shape: [3, 6],
      tensors: () => ({
        // saturated terms (−0), ±∞, NaN, ±0 and values at exp's limits
        logits: tf.tensor2d([
          [100, -100, inf, -inf, Number.NaN, 0],
          [-0, 1e-30, 88.8, -88.8, 89, -87.4],
          [20, -20, 3, -3, 0.5, -0.5],
        ]),
        x: tf.tensor2d([
          [1, 0, 1, 0, 0.5, 1],
          [1, 1, 0, 0, 0.5, 0],
          [0.3, 0.7, 1, 0, 1, 0],
        ]),
        mean: tf.tensor2d([
          [0, -0, inf, -inf, Number.NaN, 1e20],
          [1, -1, 2, -2, 0.5, -0.5],
          [3, 1e-20, -3, 0, 0, 0],
        ]),
        logVar: tf.tensor2d([
          [0, 0, 0, 0, 0, 0],
          [inf, -inf, Number.NaN, 100, -100, 88.8],
          [-87.4, 177, -175, 1e-30, -0, 2],
        ]),
        epsilon: tf.tensor2d([
          [1, -1, 0.5, 0, -0, 2],
          [0, 1, -1, 0.5, 2, -2],
          [inf, -inf, 1, 1, Number.NaN, 1],
        ]),
      }),
    };
    const cases = [
      random([16, 28, 28, 1]), // an MNIST batch: rows of 784, blocks of 64 terms and a rest
      random([2, 1000]), // longer rows
      random([5, 7]), // no vector width
      random([3, 2, 200]), // rank 3
      random([9]), // rank 1: one term an example
      random([0, 20]), // no examples
      random([4, 0]), // examples without terms: sums of 0
      special,
    ];
    const fused = (name: string, inputs: tf.NamedTensorMap) =>
      tf.engine().runKernel(name, inputs) as tf.Tensor | tf.Tensor[];
    for (const { shape, tensors } of cases) {
      const n = shape[0]!;
      // each example's values summed from 0 in order (the stock Sum; a rank-1 tensor as [n, 1])
      const perExample = (t: tf.Tensor) =>
        t.rank === 1
          ? tf.sum(tf.reshape(t, [n, 1]), 1)
          : tf.sum(
              t,
              shape.slice(1).map((_, i) => i + 1),
            );
      const scale = (dy: tf.Tensor) => tf.reshape(dy, [n, ...shape.slice(1).map(() => 1)]);
      const { logits, x, mean, logVar, epsilon } = tensors();
      const dy = tf.randomNormal([n], 0, 1, 'float32', 36);
      const dz = tf.randomNormal(shape, 0, 1, 'float32', 37);
      const result = withNative(() => {
        const fast = readAll(() => [
          fused(FUSED_KERNELS.bernoulliLogLikelihood, { x, logits }) as tf.Tensor,
          fused(FUSED_KERNELS.bernoulliLogLikelihoodGrad, { dy, x, logits }) as tf.Tensor,
          fused(FUSED_KERNELS.gaussianSample, { mean, logVar, epsilon }) as tf.Tensor,
          ...(fused(FUSED_KERNELS.gaussianSampleGrad, { dy: dz, logVar, epsilon }) as tf.Tensor[]),
          fused(FUSED_KERNELS.gaussianKl, { mean, logVar }) as tf.Tensor,
          ...(fused(FUSED_KERNELS.gaussianKlGrad, { dy, mean, logVar }) as tf.Tensor[]),
        ]);
        const stock = readAll(() => {
          const terms = tf.neg(
            tf.add(tf.sub(tf.relu(logits), tf.mul(logits, x)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
          );
          const halfExp = tf.exp(tf.mul(logVar, 0.5));
          const kl = tf.mul(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), tf.add(logVar, 1)), 0.5);
          return [
            perExample(terms),
            tf.mul(scale(dy), tf.sub(x, tf.sigmoid(logits))),
            tf.add(mean, tf.mul(halfExp, epsilon)),
            tf.reshape(dz, shape),
            tf.mul(tf.mul(tf.mul(dz, epsilon), halfExp), 0.5),
            perExample(kl),
            tf.mul(scale(dy), mean),
            tf.mul(tf.mul(scale(dy), 0.5), tf.sub(tf.exp(logVar), 1)),
          ];
        });
        return { stock, fast };
      });
      for (const [i, name] of ['bernoulli', 'its gradient', 'z', 'dμ', 'd log σ²', 'kl', 'dμ', 'd log σ²'].entries()) {
        expect(result.fast[i]!.length, `[${shape}] ${name}`).toBe(result.stock[i]!.length);
        // a sum over no terms is 0 (the stock wasm Sum leaves such an output unwritten: whatever the memory held)
        const sumOfNothing = (i === 0 || i === 5) && shape[1] === 0;
        // toEqual tells −0 from +0 and NaN equals NaN
        expect(result.fast[i], `[${shape}] ${name}`).toEqual(sumOfNothing ? new Float32Array(n) : result.stock[i]);
      }
      if (shape[0] === 16) {
        // not a vacuous comparison: the sums and their terms are finite and not all 0
        expect(result.fast[0]!.every((v) => Number.isFinite(v) && v < 0)).toBe(true);
        expect(result.fast[5]!.every((v) => v > 0)).toBe(true); // +∞ where exp(log σ²) overflows, never NaN
      }
      if (shape === special.shape) {
        // the special values reach the outputs: NaN and ∞ where the formula gives them
        expect(Array.from(result.fast[0]!).map(Number.isNaN)).toEqual([true, false, false]);
        expect(Array.from(result.fast[5]!)).toEqual([Number.NaN, Number.NaN, Number.POSITIVE_INFINITY]);
      }
      tf.dispose([logits, x, mean, logVar, epsilon, dy, dz]);
    }
  });

  it('the fused VAE loss kernels refuse what they do not compute, in one line naming the input', () => {
    const run = (name: string, inputs: Record<string, tf.Tensor>) =>
      withNative(() => tf.dispose(tf.engine().runKernel(name, inputs)));
    const a = tf.ones([2, 3]);
    const b = tf.ones([3, 2]);
    const ints = tf.ones([2, 3], 'int32');
    expect(() => run(FUSED_KERNELS.bernoulliLogLikelihood, { x: a, logits: b })).toThrow(
      'VaejsBernoulliLogLikelihood: expected logits float32 [2,3], got float32 [3,2].',
    );
    expect(() => run(FUSED_KERNELS.bernoulliLogLikelihood, { x: ints, logits: a })).toThrow(
      'VaejsBernoulliLogLikelihood: expected x float32 of rank ≥ 1 (examples first), got int32 [2,3].',
    );
    expect(() => run(FUSED_KERNELS.bernoulliLogLikelihoodGrad, { x: a, logits: a, dy: a })).toThrow(
      'VaejsBernoulliLogLikelihoodGrad: expected dy float32 [2], got float32 [2,3].',
    );
    expect(() => run(FUSED_KERNELS.gaussianSample, { mean: a, logVar: a })).toThrow(
      'VaejsGaussianSample: expected epsilon float32 [2,3], got none.',
    );
    expect(() => run(FUSED_KERNELS.gaussianKl, { mean: a, logVar: b })).toThrow(
      'VaejsGaussianKl: expected logVar float32 [2,3], got float32 [3,2].',
    );
    expect(() => run(FUSED_KERNELS.gaussianKlGrad, { mean: a, logVar: a })).toThrow(
      'VaejsGaussianKlGrad: expected dy float32 [2], got none.',
    );
    tf.dispose([a, b, ints]);
  });

  it('give the same values on 2 threads as on 1 (large tensors split in chunks), Adam included', () => {
    const x = tf.randomNormal([64, 24, 24, 16], 0, 3, 'float32', 11);
    const y = tf.randomNormal([64, 24, 24, 16], 0, 1, 'float32', 12);
    const perExample = tf.randomNormal([64, 1, 1, 16], 0, 1, 'float32', 13);
    const wide = tf.randomNormal([2, 300000], 0, 1, 'float32', 14);
    const compute = () => {
      const variable = tf.variable(tf.randomNormal([300000], 0, 1, 'float32', 15));
      const optimizer = tf.train.adam(0.01);
      for (let i = 0; i < 3; i++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(variable, 1))), false, [variable]);
      const results = readAll(() => [
        tf.tanh(x),
        tf.exp(y),
        tf.sigmoid(x),
        tf.log1p(tf.abs(x)),
        tf.add(x, y),
        tf.sub(1, x),
        tf.mul(x, perExample),
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [1, 2]),
        tf.sum(x, [1, 2, 3]),
        tf.sum(wide, 0),
        tf.engine().runKernel(FUSED_KERNELS.gatedActivation, { x }) as tf.Tensor,
        tf.engine().runKernel(FUSED_KERNELS.bernoulliLogLikelihood, { x: tf.sigmoid(y), logits: x }) as tf.Tensor,
        tf.engine().runKernel(FUSED_KERNELS.bernoulliLogLikelihoodGrad, {
          dy: tf.range(0, 64),
          x: tf.sigmoid(y),
          logits: x,
        }) as tf.Tensor,
        tf.engine().runKernel(FUSED_KERNELS.gaussianSample, { mean: y, logVar: x, epsilon: y }) as tf.Tensor,
        ...(tf.engine().runKernel(FUSED_KERNELS.gaussianSampleGrad, { dy: y, logVar: x, epsilon: y }) as tf.Tensor[]),
        tf.engine().runKernel(FUSED_KERNELS.gaussianKl, { mean: y, logVar: x }) as tf.Tensor,
        ...(tf
          .engine()
          .runKernel(FUSED_KERNELS.gaussianKlGrad, { dy: tf.range(0, 64), mean: y, logVar: x }) as tf.Tensor[]),
        tf
          .engine()
          .runKernel(FUSED_KERNELS.gatedActivationGrad, { x, dy: tf.slice(y, 0, [64, 24, 24, 8]) }) as tf.Tensor,
        variable,
      ]);
      optimizer.dispose();
      variable.dispose();
      return results;
    };
    const onThreads = (threads: number) => {
      addon.setThreads(threads);
      installNativeAdam(addon);
      try {
        return withNative(compute);
      } finally {
        uninstallNativeAdam();
        addon.setThreads(1);
      }
    };
    expectSame({ stock: onThreads(1), fast: onThreads(2) }, 0);
    tf.dispose([x, y, perExample, wide]);
  });

  it('leave int32 tensors and empty tensors to the wasm kernels', () => {
    const calls: string[] = [];
    const counting = {
      ...addon,
      slice: (...args: Parameters<typeof addon.slice>) => {
        calls.push('slice');
        addon.slice(...args);
      },
    };
    const ints = tf.range(0, 10000, 1, 'int32');
    const small = tf.ones([10, 10]);
    setNativeAddon(counting);
    registerFastKernels(nativeKernelConfigs);
    tf.dispose([tf.slice(ints, 5, 5000), tf.slice(small, [1, 1], [0, 3])]);
    expect(calls).toEqual([]);
    tf.dispose(tf.slice(small, [1, 1], [3, 3]));
    expect(calls).toEqual(['slice']);
    calls.length = 0;
    tf.dispose(tf.slice(tf.reshape(tf.cast(ints, 'float32'), [100, 100]), [1, 0], [50, 100]));
    expect(calls).toEqual(['slice']);
    tf.dispose([ints, small]);
  });
});
