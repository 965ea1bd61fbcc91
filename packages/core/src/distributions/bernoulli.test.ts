import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { bernoulliLogLikelihood } from './bernoulli';

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const naive = (x: number, l: number) => x * Math.log(sigmoid(l)) + (1 - x) * Math.log(1 - sigmoid(l));

describe('bernoulliLogLikelihood', () => {
  it('matches x·log σ(l) + (1 − x)·log(1 − σ(l)) summed per example', () => {
    tf.tidy(() => {
      const x = tf.tensor3d([[[1, 0]], [[0.25, 1]]]);
      const logits = tf.tensor3d([[[2, -1]], [[0.5, -3]]]);
      const result = bernoulliLogLikelihood(x, logits);
      expect(result.shape).toEqual([2]);
      expectClose(result.dataSync(), [naive(1, 2) + naive(0, -1), naive(0.25, 0.5) + naive(1, -3)]);
    });
  });

  it('stays finite and exact for large logits', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 0, 1, 0]]);
      const logits = tf.tensor2d([[200, -200, -200, 200]]);
      // right predictions cost ~0; wrong ones cost exactly |l| nats (log σ(−200) = −200 − log1p(e^−200))
      const result = bernoulliLogLikelihood(x, logits).dataSync();
      expect(Number.isFinite(result[0])).toBe(true);
      expectClose(result, [-400], 1e-6);
    });
  });

  it('has gradient x − σ(l) with respect to the logits, also at ±100', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 0, 1, 0.5]]);
      const logits = tf.tensor2d([[0.3, 1.2, -100, 100]]);
      const grad = tf.grad((l: tf.Tensor) => tf.sum(bernoulliLogLikelihood(x, l)))(logits);
      expectClose(grad.dataSync(), [1 - sigmoid(0.3), -sigmoid(1.2), 1, -0.5], 1e-6);
    });
  });

  it('does not leak', async () => {
    const x = tf.ones([2, 3]);
    await expectNoLeak(() => bernoulliLogLikelihood(x, x));
    await expectNoLeak(() => tf.grad((l: tf.Tensor) => tf.sum(bernoulliLogLikelihood(x, l)))(x));
    x.dispose();
  });

  it('rejects bad inputs', () => {
    const x = tf.ones([2, 3]);
    const y = tf.ones([2, 2]);
    const ints = tf.ones([2, 3], 'int32');
    expect(() => bernoulliLogLikelihood(x, y)).toThrow(
      /^bernoulliLogLikelihood: expected logits the shape of x \[2,3\], got shape \[2,2\]\.$/,
    );
    expect(() => bernoulliLogLikelihood(ints, x)).toThrow(
      /^bernoulliLogLikelihood: expected x dtype float32, got dtype int32\.$/,
    );
    tf.dispose([x, y, ints]);
  });
});
