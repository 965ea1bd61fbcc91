import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { bce, bceWithLogits, gaussianNll, mse, reconstructionLoss } from './reconstruction';

const LOG_2PI = Math.log(2 * Math.PI);
const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const bceOne = (t: number, p: number) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
const nllOne = (t: number, m: number, lv: number) => 0.5 * (LOG_2PI + lv + (t - m) ** 2 / Math.exp(lv));

describe('bceWithLogits and bce', () => {
  it('sum the per-pixel cross-entropy over every axis but the first', () => {
    tf.tidy(() => {
      const target = tf.tensor4d([1, 0, 0.5, 1, 0, 0, 1, 0.2], [2, 2, 2, 1]);
      const logitValues = [2, -1, 0.3, -0.7, 4, 0, 1.5, -2];
      const logits = tf.tensor4d(logitValues, [2, 2, 2, 1]);
      const t = target.dataSync();
      const expected = [0, 1].map((b) =>
        [0, 1, 2, 3].reduce((s, i) => s + bceOne(t[b * 4 + i]!, sigmoid(logitValues[b * 4 + i]!)), 0),
      );
      const fromLogits = bceWithLogits(target, logits);
      const fromProbs = bce(target, tf.sigmoid(logits));
      expect(fromLogits.shape).toEqual([2]);
      expectClose(fromLogits.dataSync(), expected, 1e-5);
      expectClose(fromProbs.dataSync(), expected, 1e-4);
    });
  });

  it('bce clips probabilities of exactly 0 and 1', () => {
    tf.tidy(() => {
      const result = bce(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]])).dataSync();
      // float32 holds 1 − 1e-7 as 1 − 1.19e-7, so the cost of a wrong certain pixel is −log(1 − fround(1 − 1e-7)).
      const floor = Math.fround(1e-7);
      const ceiling = Math.fround(1 - 1e-7);
      expectClose(result, [-Math.log(floor) - Math.log(1 - ceiling)], 1e-4);
      expect(Number.isFinite(result[0])).toBe(true);
    });
  });

  it('bceWithLogits is finite for logits of ±500 and has gradient σ(l) − t', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([[1, 0, 1]]);
      const logits = tf.tensor2d([[-500, -500, 0.4]]);
      expectClose(bceWithLogits(target, logits).dataSync(), [500 + bceOne(1, sigmoid(0.4))], 1e-6);
      const grad = tf.grad((l: tf.Tensor) => tf.sum(bceWithLogits(target, l)))(logits);
      expectClose(grad.dataSync(), [-1, 0, sigmoid(0.4) - 1], 1e-6);
    });
  });
});

describe('mse and gaussianNll', () => {
  it('mse is the sum of squared errors per example', () => {
    tf.tidy(() => {
      const result = mse(
        tf.tensor2d([
          [1, 2, 3],
          [0, 0, 0],
        ]),
        tf.tensor2d([
          [1.5, 2, 1],
          [1, -1, 0.5],
        ]),
      );
      expectClose(result.dataSync(), [0.25 + 4, 1 + 1 + 0.25]);
    });
  });

  it('gaussianNll with a fixed logVar is ½·mse/σ² plus the constants', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([
        [0.2, 0.9],
        [0.5, 0.1],
      ]);
      const mean = tf.tensor2d([
        [0.1, 1],
        [0.5, 0.4],
      ]);
      const zero = gaussianNll(target, mean, 0).dataSync();
      const sse = mse(target, mean).dataSync();
      expectClose(zero, [0.5 * sse[0]! + LOG_2PI, 0.5 * sse[1]! + LOG_2PI]);
      const logVar = Math.log(0.1);
      expectClose(gaussianNll(target, mean, logVar).dataSync(), [
        nllOne(0.2, 0.1, logVar) + nllOne(0.9, 1, logVar),
        nllOne(0.5, 0.5, logVar) + nllOne(0.1, 0.4, logVar),
      ]);
    });
  });

  it('gaussianNll takes a learned logVar tensor (per pixel or one scalar) and differentiates it', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([[1, 0]]);
      const mean = tf.tensor2d([[0.5, 0.5]]);
      const perPixel = tf.tensor2d([[0.2, -0.3]]);
      expectClose(gaussianNll(target, mean, perPixel).dataSync(), [nllOne(1, 0.5, 0.2) + nllOne(0, 0.5, -0.3)]);
      const scalar = tf.scalar(-1);
      expectClose(gaussianNll(target, mean, scalar).dataSync(), [nllOne(1, 0.5, -1) + nllOne(0, 0.5, -1)]);
      // d/dlogVar = ½ (1 − (t − m)² / exp(logVar)) per element, summed for the scalar
      const grad = tf.grad((lv: tf.Tensor) => tf.sum(gaussianNll(target, mean, lv)))(scalar);
      expectClose(grad.dataSync(), [2 * 0.5 * (1 - 0.25 / Math.exp(-1))]);
    });
  });
});

describe('reconstructionLoss', () => {
  it('dispatches on the likelihood', () => {
    tf.tidy(() => {
      const target = tf.tensor2d([[1, 0, 0.5]]);
      const output = tf.tensor2d([[0.3, -0.2, 1]]);
      const logVar = tf.tensor2d([[0, 1, -1]]);
      expectClose(
        reconstructionLoss(target, output, { likelihood: 'bernoulli' }).dataSync(),
        bceWithLogits(target, output).dataSync(),
      );
      expectClose(
        reconstructionLoss(target, output, { likelihood: 'gaussian' }).dataSync(),
        gaussianNll(target, output, 0).dataSync(),
      );
      expectClose(
        reconstructionLoss(target, output, { likelihood: 'gaussian', logVar: -2 }).dataSync(),
        gaussianNll(target, output, -2).dataSync(),
      );
      expectClose(
        reconstructionLoss(target, output, { likelihood: 'gaussian-learned', logVar }).dataSync(),
        gaussianNll(target, output, logVar).dataSync(),
      );
    });
  });

  it('does not leak', async () => {
    const target = tf.ones([2, 2, 2, 1]);
    const logVar = tf.zeros([2, 2, 2, 1]);
    await expectNoLeak(() => bceWithLogits(target, target));
    await expectNoLeak(() => bce(target, target));
    await expectNoLeak(() => mse(target, target));
    await expectNoLeak(() => gaussianNll(target, target, 0));
    await expectNoLeak(() => reconstructionLoss(target, target, { likelihood: 'gaussian-learned', logVar }));
    await expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(bce(target, x)))(target));
    tf.dispose([target, logVar]);
  });

  it('rejects bad inputs', () => {
    const a = tf.ones([2, 3]);
    const b = tf.ones([2, 4]);
    expect(() => bceWithLogits(a, b)).toThrow(
      /^bceWithLogits: expected logits the shape of target \[2,3\], got shape \[2,4\]\.$/,
    );
    expect(() => bce(a, b)).toThrow(/^bce: expected probs the shape of target \[2,3\], got shape \[2,4\]\.$/);
    expect(() => mse(a, b)).toThrow(/^mse: expected prediction the shape of target \[2,3\], got shape \[2,4\]\.$/);
    expect(() => gaussianNll(a, a, Number.NaN)).toThrow(
      /^gaussianNll: expected logVar a finite number or a tensor, got NaN\.$/,
    );
    expect(() => gaussianNll(a, a, b)).toThrow(
      /^gaussianNll: expected logVar a shape that broadcasts to \[2,3\], got shape \[2,4\]\.$/,
    );
    expect(() => reconstructionLoss(a, a, { likelihood: 'laplace' as 'gaussian' })).toThrow(
      /^reconstructionLoss: expected options\.likelihood one of bernoulli \| gaussian \| gaussian-learned, got 'laplace'\.$/,
    );
    expect(() => reconstructionLoss(a, a, { likelihood: 'gaussian-learned' })).toThrow(
      /^reconstructionLoss: expected options\.logVar a tensor for likelihood 'gaussian-learned', got undefined\.$/,
    );
    expect(() => reconstructionLoss(a, a, { likelihood: 'gaussian-learned', logVar: 0 })).toThrow(
      /^reconstructionLoss: expected options\.logVar a tensor for likelihood 'gaussian-learned', got 0\.$/,
    );
    expect(() => reconstructionLoss(a, b, { likelihood: 'bernoulli' })).toThrow(/^bceWithLogits: expected logits/);
    tf.dispose([a, b]);
  });
});
