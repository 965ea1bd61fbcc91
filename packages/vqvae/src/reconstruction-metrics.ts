import * as tf from '@tensorflow/tfjs-core';
import { assertSameShape, assertTensor, formatExpected, ValueError } from '@vaejs/core';

/**
 * Population variance of every value of `x` (numpy's `np.var(x)`): the `dataVariance` that van den Oord et al.'s
 * Sonnet example and the Keras VQ-VAE example divide the reconstruction MSE by (≈ 0.095 for MNIST in [0, 1]).
 * @param x float32 [...] (e.g. the training images, or a large sample of them)
 * @returns float32 scalar
 * @example pixelVariance(tf.tensor1d([0, 1])) // 0.25
 */
export function pixelVariance(x: tf.Tensor): tf.Scalar {
  assertTensor('pixelVariance', 'x', x);
  return tf.tidy(() => tf.moments(tf.cast(x, 'float32')).variance as tf.Scalar);
}

/**
 * Mean squared error per element divided by the data variance: the figure the Keras example reports
 * ("0.0444 as MSE over data variance"); 1 is what predicting the mean pixel value would score.
 * @param target float32 [batch, ...]
 * @param prediction float32, same shape
 * @param variance a positive number or float32 scalar (see {@link pixelVariance})
 * @returns float32 scalar
 * @example normalizedMse(images, vqvae.reconstruct(images), 0.095)
 */
export function normalizedMse(target: tf.Tensor, prediction: tf.Tensor, variance: number | tf.Scalar): tf.Scalar {
  assertSameShape('normalizedMse', 'target', target, 'prediction', prediction);
  if (typeof variance === 'number' && !(variance > 0 && Number.isFinite(variance))) {
    throw new ValueError(formatExpected('normalizedMse', 'variance', 'a positive number', String(variance)));
  }
  return tf.tidy(() => tf.div(tf.mean(tf.squaredDifference(target, prediction)), variance) as tf.Scalar);
}
