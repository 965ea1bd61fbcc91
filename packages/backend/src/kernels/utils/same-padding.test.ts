import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll, relativeError } from '../../__fixtures__/kernel-compare';
import { registerFastKernels, restoreKernels } from '../register-all-kernels';
import { explicitSamePadding } from './same-padding';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  restoreKernels();
  await tf.setBackend('cpu');
});

describe("conv2d with pad 'same' and unequal strides on wasm", () => {
  it('computes the explicit padding of TensorFlow SAME', () => {
    // in 5, filter 4, stride 3 → out 2, total pad (2-1)·3+4-5 = 2 → 1 before, 1 after; width: in 6, filter 4, stride 1 → pad 3 → 1, 2.
    expect(explicitSamePadding([1, 5, 6, 4], [4, 4, 4, 2], [3, 1], 1)).toEqual([
      [0, 0],
      [1, 1],
      [1, 2],
      [0, 0],
    ]);
  });

  it('matches the cpu backend with the fast kernels (the stock wasm kernel does not)', async () => {
    const x = tf.randomNormal([1, 5, 6, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([1, 4, 4, 4], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([4], 0, 1, 'float32', 3);
    const compute = () =>
      readAll(() => [
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [3, 1], 'same'),
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: [3, 1], pad: 'same', bias }),
      ]);
    restoreKernels();
    const stock = compute();
    registerFastKernels();
    const fast = compute();
    restoreKernels();
    await tf.setBackend('cpu');
    const reference = compute();
    await tf.setBackend('wasm');
    expect(relativeError(stock[0]!, reference[0]!)).toBeGreaterThan(0.1);
    expect(relativeError(fast[0]!, reference[0]!)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(fast[1]!, reference[1]!)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, w, bias]);
  });
});
