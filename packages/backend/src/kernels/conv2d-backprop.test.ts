import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expectSame,
  liveBuffers,
  readAll,
  relativeError,
  seededRandom,
  stockAndFast,
} from '../__fixtures__/kernel-compare';
import { filterRoute } from './conv2d-backprop-filter';
import { inputRoute } from './conv2d-backprop-input';
import { registerFastKernels, restoreKernels } from './register-all-kernels';
import { canComputeFilterByConv } from './utils/filter-by-conv';
import { columnBudget } from './utils/im2col';
import { planPhases } from './utils/stride-phases';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

/** Random NHWC convolutions: strides 1–3, kernels 1–4, paddings 'same' / 'valid' / numeric / explicit. */
function randomCases(seed: number, count: number): Case[] {
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
    const filterShape: Case['filterShape'] = [int(1, 4), int(1, 4), int(1, 5), int(1, 6)];
    const xShape: Case['xShape'] = [int(1, 3), int(filterShape[0] + 1, 9), int(filterShape[1] + 1, 9), filterShape[2]];
    return { xShape, filterShape, strides: [int(1, 3), int(1, 3)], pad: pads[i % pads.length]!() };
  });
}

function outShapeOf(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad as 'same').outShape;
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

beforeAll(async () => {
  await tf.setBackend('wasm');
  // The random cases have few channels: make them take the XNNPACK routes too (defaults are tested below).
  Object.assign(filterRoute, { useConv: true, minInChannels: 1 });
  Object.assign(inputRoute, { usePhases: true, minInChannels: 1 });
});
afterEach(() => {
  restoreKernels();
  columnBudget.maxFloats = 1 << 24;
  Object.assign(filterRoute, { useConv: true, minInChannels: 1 });
  Object.assign(inputRoute, { usePhases: true, minInChannels: 1 });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fast Conv2DBackpropFilter and Conv2DBackpropInput on wasm', () => {
  it.each([
    ['one swapped Conv2D', true],
    ['im2col + matMul', false],
  ])('compute dW like the stock cpu kernel on random shapes, strides and paddings (%s)', async (_, useConv) => {
    registerFastKernels();
    filterRoute.useConv = useConv;
    for (const [i, c] of randomCases(useConv ? 11 : 21, 16).entries()) {
      const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
      const dy = tf.randomNormal(outShapeOf(c), 0, 1, 'float32', i + 50);
      const attrs = { strides: c.strides, pad: c.pad, filterShape: c.filterShape, dataFormat: 'NHWC' };
      const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      const fast = run();
      const fastValues = fast.dataSync().slice();
      const reference = await onCpu(() => {
        const t = run();
        const values = t.dataSync().slice();
        t.dispose();
        return values;
      });
      expect(relativeError(fastValues, reference), JSON.stringify(c)).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, dy, fast]);
    }
  });

  it.each([
    ['stride-phase Conv2Ds', true],
    ['matMul + col2im', false],
  ])('compute dx like the stock wasm kernel on random shapes, strides and paddings (%s)', (_, usePhases) => {
    inputRoute.usePhases = usePhases;
    let phased = 0;
    for (const [i, c] of randomCases(usePhases ? 12 : 22, 24).entries()) {
      const attrs = { inputShape: c.xShape, strides: c.strides, pad: c.pad };
      if (planPhases(outShapeOf(c), c.filterShape, attrs) != null) phased++;
      const dy = tf.randomNormal(outShapeOf(c), 0, 1, 'float32', i);
      const filter = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 50);
      const result = stockAndFast(() =>
        readAll(
          () =>
            tf.engine().runKernel(
              'Conv2DBackpropInput',
              { dy, filter },
              {
                inputShape: c.xShape,
                strides: c.strides,
                pad: c.pad,
                dataFormat: 'NHWC',
              },
            ) as tf.Tensor,
        ),
      );
      expectSame(result);
      tf.dispose([dy, filter]);
    }
    if (usePhases) expect(phased).toBeGreaterThanOrEqual(8); // the others have a stride above the kernel size
  });

  it('plan stride phases only without dilations and with taps in every phase', () => {
    const attrs = { inputShape: [2, 14, 14, 3], strides: 2, pad: 'same' as const };
    const plan = planPhases([2, 7, 7, 4], [4, 4, 3, 4], attrs)!;
    // p = i + 1 ∈ [1, 14]: q = 0 … 7 for both phases; 2 taps each; phase 0 reads dy[q − 1 … q] (no pad before).
    expect(plan.rows).toEqual({ stride: 2, taps: [2, 2], qStart: 0, qCount: 8, padBefore: [1, 1], padAfter: [1, 1] });
    expect(planPhases([2, 7, 7, 4], [4, 4, 3, 4], { ...attrs, dilations: 2 })).toBeNull();
    expect(planPhases([2, 5, 5, 4], [2, 2, 3, 4], { ...attrs, inputShape: [2, 14, 14, 3], strides: 3 })).toBeNull();
    expect(planPhases([2, 7, 7, 4], [4, 4, 3, 4], { ...attrs, dataFormat: 'NCHW' })).toBeNull();
  });

  it('give the stock cpu gradients for conv2d and conv2dTranspose (values and gradients)', async () => {
    registerFastKernels();
    for (const [i, c] of randomCases(13, 8).entries()) {
      const x = tf.randomNormal(c.xShape, 0, 1, 'float32', i);
      const w = tf.randomNormal(c.filterShape, 0, 1, 'float32', i + 1);
      const pad = typeof c.pad === 'string' ? c.pad : 'same';
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
      const fast = compute();
      const stock = await onCpu(compute);
      expectSame({ stock, fast });
      tf.dispose([x, w, y, dy, dx]);
    }
  });

  it.each([
    ['one swapped Conv2D', true],
    ['im2col + matMul', false],
  ])('support dilations (attrs.dilations): <conv2d(x, W), dy> = <W, dW> = <x, dx> (%s)', (_, useConv) => {
    registerFastKernels();
    filterRoute.useConv = useConv;
    for (const [i, dilations] of (
      [
        [2, 2],
        [3, 1],
        [1, 2],
      ] as [number, number][]
    ).entries()) {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', i);
      const w = tf.randomNormal([3, 2, 3, 4], 0, 1, 'float32', i + 1);
      const pad = i === 1 ? 'valid' : 'same';
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad, 'NHWC', dilations);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + 2);
      const attrs = { strides: 1, pad, dilations };
      const dW = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor;
      const dX = tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor;
      const dot = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]!);
      const yDy = dot(y, dy);
      const wDw = dot(w, dW);
      const xDx = dot(x, dX);
      expect(Math.abs(wDw - yDy)).toBeLessThan(1e-4 * Math.abs(yDy) + 1e-3);
      expect(Math.abs(xDx - yDy)).toBeLessThan(1e-4 * Math.abs(yDy) + 1e-3);
      tf.dispose([x, w, y, dy, dW, dX]);
    }
  });

  it('send dW to the Conv2D route unless stride and dilation are both above 1 on one axis (then im2col)', async () => {
    expect(canComputeFilterByConv({ strides: 2, pad: 'same', filterShape: [3, 3, 1, 1] })).toBe(true);
    expect(canComputeFilterByConv({ strides: [2, 1], dilations: [1, 3], pad: 0, filterShape: [3, 3, 1, 1] })).toBe(
      true,
    );
    expect(canComputeFilterByConv({ strides: [2, 1], dilations: [2, 1], pad: 0, filterShape: [3, 3, 1, 1] })).toBe(
      false,
    );
    expect(canComputeFilterByConv({ strides: 1, pad: 0, dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] })).toBe(false);
    // Stride 2 and dilation 2 together (tf.conv2d forbids it, the kernel does not): the im2col route, like cpu.
    registerFastKernels();
    const x = tf.randomNormal([2, 9, 9, 2], 0, 1, 'float32', 7);
    const dy = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 8);
    const attrs = { strides: 2, pad: 'valid', dilations: 2, filterShape: [2, 2, 2, 3], dataFormat: 'NHWC' };
    const run = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    const w = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 9);
    // The adjoint identity <conv(x, W), dy> = <W, dW>, with the forward Conv2D kernel of the cpu backend (whose
    // Conv2DBackpropFilter ignores dilations, so it cannot serve as the reference here).
    const dW = readAll(run)[0]!;
    const yDy = await onCpu(() =>
      tf.tidy(() => {
        const y = tf.engine().runKernel('Conv2D', { x, filter: w }, attrs) as tf.Tensor;
        return tf.sum(tf.mul(y, dy)).dataSync()[0]!;
      }),
    );
    const wDw = Array.from(w.dataSync()).reduce((sum, v, i) => sum + v * dW[i]!, 0);
    expect(Math.abs(wDw - yDy)).toBeLessThan(1e-4 * Math.abs(yDy) + 1e-4);
    tf.dispose([x, dy, w]);
  });

  it('give the stock cpu gradients of a conv VAE layer pair with the default routes (16 and 1 channels)', async () => {
    Object.assign(filterRoute, { useConv: true, minInChannels: 8 });
    Object.assign(inputRoute, { usePhases: true, minInChannels: 8 });
    registerFastKernels();
    for (const [i, channels] of [16, 1].entries()) {
      const x = tf.randomNormal([3, 8, 8, channels], 0, 1, 'float32', 30 + i);
      const w = tf.randomNormal([4, 4, channels, 8], 0, 1, 'float32', 40 + i);
      const dy = tf.randomNormal([3, 4, 4, 8], 0, 1, 'float32', 50 + i);
      const compute = () =>
        readAll(() => [
          ...tf.grads((xx, ww) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))([x, w], dy),
          tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [3, 8, 8, channels], 2, 'same'),
        ]);
      const fast = compute();
      expectSame({ stock: await onCpu(compute), fast });
      tf.dispose([x, w, dy]);
    }
  });

  it('give the same results when the batch is split into chunks', () => {
    const x = tf.randomNormal([5, 7, 7, 3], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([5, 4, 4, 4], 0, 1, 'float32', 3);
    const compute = () =>
      readAll(() => tf.grads((xx, ww) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))([x, w], dy));
    registerFastKernels();
    filterRoute.useConv = false; // chunks are an im2col matter
    const whole = compute();
    columnBudget.maxFloats = 2 * 16 * 27; // two images per chunk
    expectSame({ stock: whole, fast: compute() });
    tf.dispose([x, w, dy]);
  });

  it("fall back to the stock kernel for NCHW dx, and reject NCHW dW with wasm's message", () => {
    const dy = tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 2);
    const attrs = { inputShape: [2, 3, 6, 5], strides: 2, pad: 'valid', dataFormat: 'NCHW' };
    const { stock, fast } = stockAndFast(() =>
      readAll(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor),
    );
    expect(Array.from(fast[0]!)).toEqual(Array.from(stock[0]!));
    registerFastKernels();
    expect(() =>
      tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x: tf.ones([2, 3, 6, 5]), dy }, { ...attrs, filterShape: [2, 2, 3, 4] }),
    ).toThrow(/fast Conv2DBackpropFilter supports dataFormat 'NHWC' only/);
    tf.dispose([dy, filter]);
  });

  it('free every temporary they make', () => {
    registerFastKernels();
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 2, 5], 0, 1, 'float32', 2);
    const dy = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 3);
    const dyValid = tf.randomNormal([3, 2, 2, 5], 0, 1, 'float32', 4); // 'valid': the Conv2D route slices
    columnBudget.maxFloats = 100; // force chunking (Slice and Add temporaries)
    const before = { tensors: tf.memory().numTensors, buffers: liveBuffers() };
    for (const useConv of [true, false]) {
      filterRoute.useConv = useConv;
      readAll(() => tf.grads((xx, ww) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))([x, w], dy));
      readAll(() => tf.grads((xx, ww) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'valid'))([x, w], dyValid));
    }
    expect({ tensors: tf.memory().numTensors, buffers: liveBuffers() }).toEqual(before);
    tf.dispose([x, w, dy, dyValid]);
  });
});
