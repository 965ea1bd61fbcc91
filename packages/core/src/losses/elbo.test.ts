import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { elbo, freeBits } from './elbo';

describe('elbo', () => {
  it('returns the parts as batch means and the weighted total per example', () => {
    tf.tidy(() => {
      const reconstruction = tf.tensor1d([10, 20, 30]);
      const kl = tf.tensor1d([1, 2, 6]);
      const plain = elbo(reconstruction, kl);
      expectClose(plain.loss.dataSync(), [23]);
      expectClose(plain.reconstruction.dataSync(), [20]);
      expectClose(plain.kl.dataSync(), [3]);
      expectClose(plain.perExample.dataSync(), [11, 22, 36]);
      const weighted = elbo(reconstruction, kl, { beta: 4 });
      expectClose(weighted.loss.dataSync(), [20 + 4 * 3]);
      expectClose(weighted.kl.dataSync(), [3]); // reported before the weight
      expectClose(weighted.perExample.dataSync(), [14, 28, 54]);
      expectClose(elbo(reconstruction, kl, { beta: 0 }).loss.dataSync(), [20]);
    });
  });

  it('passes gradients 1/n and beta/n', () => {
    tf.tidy(() => {
      const [gR, gK] = tf.grads(
        (r: tf.Tensor, k: tf.Tensor) => elbo(r as tf.Tensor1D, k as tf.Tensor1D, { beta: 0.5 }).loss,
      )([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]);
      expectClose(gR!.dataSync(), [0.5, 0.5]);
      expectClose(gK!.dataSync(), [0.25, 0.25]);
    });
  });

  it('does not leak', async () => {
    const r = tf.tensor1d([1, 2]);
    await expectNoLeak(() => elbo(r, r, { beta: 2 }));
    r.dispose();
  });

  it('rejects bad inputs', () => {
    const r = tf.tensor1d([1, 2]);
    const k3 = tf.tensor1d([1, 2, 3]);
    const m = tf.zeros([2, 2]);
    expect(() => elbo(m as unknown as tf.Tensor1D, r)).toThrow(
      /^elbo: expected reconstructionPerExample rank 1, got rank 2 \(shape \[2,2\]\)\.$/,
    );
    expect(() => elbo(r, m as unknown as tf.Tensor1D)).toThrow(/^elbo: expected klPerExample rank 1, got rank 2/);
    expect(() => elbo(r, k3)).toThrow(
      /^elbo: expected klPerExample the shape of reconstructionPerExample \[2\], got shape \[3\]\.$/,
    );
    expect(() => elbo(r, r, { beta: -1 })).toThrow(/^elbo: expected options\.beta a number in \[0, .*\], got -1\.$/);
    expect(() => elbo(r, r, { beta: Number.NaN })).toThrow(/^elbo: expected options\.beta a number in .*, got NaN\.$/);
    tf.dispose([r, k3, m]);
  });
});

describe('freeBits', () => {
  it('floors each dimension’s batch-mean KL at lambda', () => {
    tf.tidy(() => {
      const klPerDim = tf.tensor2d([
        [0.1, 2],
        [0.3, 1],
      ]);
      const result = freeBits(klPerDim, 0.5);
      // dim 0: mean 0.2 < 0.5 → 0.5 for everyone; dim 1: mean 1.5 → the example's own KL
      expectClose(result.dataSync(), [2.5, 1.5]);
      // the batch mean is Σ_j max(lambda, mean KL_j)
      expectClose(tf.mean(result).dataSync(), [Math.max(0.5, 0.2) + Math.max(0.5, 1.5)]);
      expectClose(freeBits(klPerDim, 0).dataSync(), [2.1, 1.3]);
    });
  });

  it('has no gradient for the floored dimensions', () => {
    tf.tidy(() => {
      const klPerDim = tf.tensor2d([
        [0.1, 2],
        [0.3, 1],
      ]);
      const grad = tf.grad((k: tf.Tensor) => tf.sum(freeBits(k as tf.Tensor2D, 0.5)))(klPerDim);
      expectClose(grad.dataSync(), [0, 1, 0, 1]);
    });
  });

  it('does not leak and rejects bad inputs', async () => {
    const klPerDim = tf.ones([2, 3]) as tf.Tensor2D;
    await expectNoLeak(() => freeBits(klPerDim, 0.25));
    const flat = tf.ones([3]);
    expect(() => freeBits(flat as unknown as tf.Tensor2D, 1)).toThrow(
      /^freeBits: expected klPerDim rank 2, got rank 1 \(shape \[3\]\)\.$/,
    );
    expect(() => freeBits(klPerDim, -0.1)).toThrow(/^freeBits: expected lambda a number in \[0, .*\], got -0\.1\.$/);
    tf.dispose([klPerDim, flat]);
  });
});
