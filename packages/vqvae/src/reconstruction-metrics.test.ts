import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { normalizedMse, pixelVariance } from './reconstruction-metrics';

describe('pixelVariance', () => {
  it('is the population variance of every value', () => {
    expectClose(pixelVariance(tf.tensor1d([0, 1])).dataSync(), [0.25]);
    expectClose(pixelVariance(tf.tensor4d([1, 2, 3, 4, 5, 6], [2, 1, 3, 1])).dataSync(), [35 / 12]);
  });
});

describe('normalizedMse', () => {
  it('divides the mean squared error per element by the variance', () => {
    const target = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const prediction = tf.tensor2d([
      [0.5, 1],
      [1, 0],
    ]);
    expectClose(normalizedMse(target, prediction, 0.25).dataSync(), [0.0625 / 0.25]);
    expectClose(normalizedMse(target, prediction, tf.scalar(0.5)).dataSync(), [0.0625 / 0.5]);
  });

  it('scores 1 for predicting the mean', () => {
    const target = tf.tensor1d([0, 1, 1, 0, 1]);
    const mean = tf.fill([5], 0.6);
    expectClose(normalizedMse(target, mean, pixelVariance(target)).dataSync(), [1]);
  });

  it('rejects mismatched shapes and non-positive variances', () => {
    expect(() => normalizedMse(tf.zeros([2, 2]), tf.zeros([2, 3]), 1)).toThrow(
      /^normalizedMse: expected prediction the shape of target \[2,2\], got shape \[2,3\]\.$/,
    );
    expect(() => normalizedMse(tf.zeros([2]), tf.zeros([2]), 0)).toThrow(
      /^normalizedMse: expected variance a positive number, got 0\.$/,
    );
  });

  it('leaks no tensors', async () => {
    const x = tf.ones([3]);
    await expectNoLeak(() => [pixelVariance(x), normalizedMse(x, x, 1)]);
  });
});
