import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, liveBuffers, readAll, seededRandom, stockAndFast } from '../../__fixtures__/kernel-compare';
import { restoreKernels } from '../register-all-kernels';
import { planMatMul } from './fast-mat-mul';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  restoreKernels();
  await tf.setBackend('cpu');
});

describe('planMatMul', () => {
  it('sends transposed and batch-1 products to XNNPACK with untransposed view shapes', () => {
    expect(planMatMul([5, 3], [4, 3], false, true)).toEqual({
      route: 'xnnpack',
      aShape: [1, 5, 3],
      bShape: [1, 3, 4],
      outShape: [5, 4],
    });
    expect(planMatMul([3, 5], [3, 4], true, false).aShape).toEqual([1, 5, 3]);
  });

  it('folds a batched A against an unbatched B into one product', () => {
    expect(planMatMul([2, 6, 5, 3], [3, 4], false, false)).toEqual({
      route: 'xnnpack',
      aShape: [1, 60, 3],
      bShape: [1, 3, 4],
      outShape: [2, 6, 5, 4],
    });
  });

  it('leaves batched B and transposed batched A to the stock kernel', () => {
    expect(planMatMul([2, 5, 3], [2, 3, 4], false, false).route).toBe('stock');
    expect(planMatMul([2, 3, 5], [3, 4], true, false).route).toBe('stock');
  });
});

describe('fast BatchMatMul and _FusedMatMul on wasm', () => {
  const random = seededRandom(7);
  const dim = () => 1 + Math.floor(random() * 40);

  it('matches the stock kernel on random shapes and every transpose combination (values)', () => {
    for (let trial = 0; trial < 12; trial++) {
      const [m, k, n] = [dim(), dim(), dim()];
      const batch = trial % 3 === 0 ? [1 + Math.floor(random() * 3)] : [];
      for (const [transposeA, transposeB] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ] as const) {
        const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
        const bShape = transposeB ? [n, k] : [k, n];
        const a = tf.randomNormal(aShape, 0, 1, 'float32', trial);
        const b = tf.randomNormal(bShape, 0, 1, 'float32', trial + 100);
        expectSame(stockAndFast(() => readAll(() => tf.matMul(a, b, transposeA, transposeB))));
        tf.dispose([a, b]);
      }
    }
  });

  it('matches the stock gradients of a dense layer with bias and relu (fused matMul)', () => {
    for (let trial = 0; trial < 6; trial++) {
      const [m, k, n] = [dim(), dim(), dim()];
      const x = tf.randomNormal([m, k], 0, 1, 'float32', trial);
      const w = tf.randomNormal([k, n], 0, 1, 'float32', trial + 1);
      const bias = tf.randomNormal([n], 0, 1, 'float32', trial + 2);
      const dy = tf.randomNormal([m, n], 0, 1, 'float32', trial + 3);
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' });
      expectSame(
        stockAndFast(() =>
          readAll(() => [f(x, w, bias), ...tf.grads((xx, ww, bb) => f(xx!, ww!, bb!))([x, w, bias], dy)]),
        ),
      );
      tf.dispose([x, w, bias, dy]);
    }
  });

  it('matches the stock kernel for a batched A times a shared B (tfjs has no gradient for this broadcast)', () => {
    const a = tf.randomNormal([3, 7, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([5, 4], 0, 1, 'float32', 2);
    expectSame(stockAndFast(() => readAll(() => tf.matMul(a, b))));
    tf.dispose([a, b]);
  });

  it('adds a batched fused bias per column (the stock slow path adds the last bias entry to rows after the first)', () => {
    const a = tf.randomNormal([3, 7, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([1, 5, 4], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([4], 0, 1, 'float32', 3);
    const { stock } = stockAndFast(() => readAll(() => tf.relu(tf.add(tf.matMul(a, b), bias))));
    const { fast } = stockAndFast(() =>
      readAll(() => tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, bias, activation: 'relu' })),
    );
    expectSame({ stock, fast });
    tf.dispose([a, b, bias]);
  });

  it('falls back to the stock kernel, bit for bit, when both operands are batched', () => {
    const a = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 5);
    const { stock, fast } = stockAndFast(() => readAll(() => tf.matMul(a, b, false, false)));
    expect(Array.from(fast[0]!)).toEqual(Array.from(stock[0]!));
    tf.dispose([a, b]);
  });

  it('keeps the stock error for int32 operands', () => {
    const a = tf.ones([2, 2], 'int32');
    const { stock, fast } = stockAndFast(() => {
      try {
        tf.matMul(a, a, true, false);
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(fast).toBe(stock);
    expect(fast).toMatch(/BatchMatMul for non non-float32 tensors not yet supported/);
    a.dispose();
  });

  it('frees every temporary it makes', () => {
    const a = tf.randomNormal([6, 5], 0, 1, 'float32', 8);
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 9);
    stockAndFast(() => {
      const before = { tensors: tf.memory().numTensors, buffers: liveBuffers() };
      readAll(() => [tf.matMul(a, b, false, true), tf.matMul(a, tf.transpose(b), false, false)]);
      expect({ tensors: tf.memory().numTensors, buffers: liveBuffers() }).toEqual(before);
      return null;
    });
    tf.dispose([a, b]);
  });
});
