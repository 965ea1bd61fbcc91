import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { bernoulliLogElements, bernoulliLogLikelihood } from './bernoulli';

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

  it('gives the gradients of autodiff through the element-wise formula (x and logits, per-example weights)', () => {
    tf.tidy(() => {
      for (const shape of [
        [6, 10],
        [4, 5, 3, 2],
      ]) {
        const x = tf.randomUniform(shape, 0, 1, 'float32', 1);
        const logits = tf.randomNormal(shape, 0, 8, 'float32', 2);
        const weights = tf.randomNormal([shape[0] as number], 0, 1, 'float32', 3);
        const weighted = (perExample: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(perExample(a, b), weights));
        const formula = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            bernoulliLogElements(a, b),
            shape.slice(1).map((_, i) => i + 1),
          );
        const [dxFormula, dlFormula] = tf.grads(weighted(formula))([x, logits]);
        const [dx, dl] = tf.grads(weighted(bernoulliLogLikelihood))([x, logits]);
        expectClose(dx!.dataSync(), dxFormula!.dataSync(), 1e-5);
        expectClose(dl!.dataSync(), dlFormula!.dataSync(), 1e-5);
        expectClose(bernoulliLogLikelihood(x, logits).dataSync(), formula(x, logits).dataSync(), 0);
      }
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
