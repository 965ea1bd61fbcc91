/**
 * Reconstruction terms: negative log-likelihoods of the target under the decoder's output, summed over every axis
 * but the first (one number per example, in nats, reduction `sum` — never a mean over pixels, so that they add up
 * with the KL into a proper ELBO).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf } from '../checks';
import { bernoulliPerExample } from '../distributions/bernoulli';
import { logDensityElements } from '../distributions/gaussian';
import { assertBroadcastsTo, assertPair, sumPerExample } from '../distributions/reduce';
import { ConfigError, formatExpected } from '../errors';

/** Probabilities are clipped to [EPSILON, 1 − EPSILON] in {@link bce} so that log stays finite. */
export const BCE_EPSILON = 1e-7;

/**
 * Binary cross-entropy from logits, summed per example (reduction: sum over every axis but the first).
 * Equals −bernoulliLogLikelihood(target, logits); stable for any logit size.
 * @param target float32 [batch, ...] in [0, 1]
 * @param logits float32, same shape
 * @returns float32 [batch], ≥ 0
 * @example bceWithLogits(images, logits) // [8]
 */
export function bceWithLogits(target: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  assertPair('bceWithLogits', 'target', target, 'logits', logits);
  return tf.tidy(() => tf.neg(bernoulliPerExample(target, logits)) as tf.Tensor1D);
}

/**
 * Binary cross-entropy from probabilities, summed per example. Probabilities are clipped to [1e-7, 1 − 1e-7]
 * ({@link BCE_EPSILON}); prefer {@link bceWithLogits} when logits are at hand.
 * @param target float32 [batch, ...] in [0, 1]
 * @param probs float32, same shape, in [0, 1]
 * @returns float32 [batch], ≥ 0
 * @example bce(images, tf.sigmoid(logits)) // [8]
 */
export function bce(target: tf.Tensor, probs: tf.Tensor): tf.Tensor1D {
  assertPair('bce', 'target', target, 'probs', probs);
  return tf.tidy(() => {
    const clipped = tf.clipByValue(probs, BCE_EPSILON, 1 - BCE_EPSILON);
    const logLikelihood = tf.add(tf.mul(target, tf.log(clipped)), tf.mul(tf.sub(1, target), tf.log1p(tf.neg(clipped))));
    return tf.neg(sumPerExample(logLikelihood)) as tf.Tensor1D;
  });
}

/**
 * Sum of squared errors per example (reduction: sum over every axis but the first, not a mean).
 * @param target float32 [batch, ...]
 * @param prediction float32, same shape
 * @returns float32 [batch], ≥ 0
 * @example mse(images, reconstruction) // [8]
 */
export function mse(target: tf.Tensor, prediction: tf.Tensor): tf.Tensor1D {
  assertPair('mse', 'target', target, 'prediction', prediction);
  return tf.tidy(() => sumPerExample(tf.square(tf.sub(target, prediction))));
}

/**
 * Gaussian negative log-likelihood −log N(target; mean, exp(logVar)) summed per example, including the constant
 * ½·log(2π) per element: ½ Σ (log 2π + logVar + (target − mean)² / exp(logVar)).
 * With logVar = 0 this is ½·mse + ½·D·log 2π.
 * @param target float32 [batch, ...]
 * @param mean float32, same shape
 * @param logVar a number (fixed variance) or float32 tensor broadcasting to target (learned: per pixel, or one scalar)
 * @returns float32 [batch]
 * @example gaussianNll(images, decoded, 0) // [8]
 */
export function gaussianNll(target: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor | number): tf.Tensor1D {
  assertPair('gaussianNll', 'target', target, 'mean', mean);
  if (typeof logVar === 'number') {
    if (!Number.isFinite(logVar)) {
      throw new ConfigError(formatExpected('gaussianNll', 'logVar', 'a finite number or a tensor', String(logVar)));
    }
  } else {
    assertBroadcastsTo('gaussianNll', 'logVar', logVar, target.shape);
  }
  return tf.tidy(() => tf.neg(sumPerExample(logDensityElements(target, mean, logVar))) as tf.Tensor1D);
}

/** The decoder's output distribution. */
export type Likelihood = 'bernoulli' | 'gaussian' | 'gaussian-learned';

export const LIKELIHOODS: readonly Likelihood[] = ['bernoulli', 'gaussian', 'gaussian-learned'];

/** Options for {@link reconstructionLoss}. */
export interface ReconstructionLossOptions {
  likelihood: Likelihood;
  /**
   * 'gaussian': fixed log-variance, a number or tensor (default 0, i.e. σ = 1).
   * 'gaussian-learned': required, the learned log-variance tensor (e.g. a decoder head or a scalar variable).
   * 'bernoulli': ignored.
   */
  logVar?: tf.Tensor | number;
}

/**
 * Negative log-likelihood of `target` under the decoder output, per example, in nats (reduction: sum over every
 * axis but the first):
 * - 'bernoulli': `output` are logits → {@link bceWithLogits}.
 * - 'gaussian': `output` is the mean, variance fixed (logVar default 0) → {@link gaussianNll}, i.e. ½·mse + const.
 * - 'gaussian-learned': `output` is the mean, `options.logVar` the learned log-variance → {@link gaussianNll}.
 * @param target float32 [batch, ...]
 * @param output float32, same shape (logits or mean)
 * @returns float32 [batch]
 * @example reconstructionLoss(images, logits, { likelihood: 'bernoulli' }) // [8]
 */
export function reconstructionLoss(
  target: tf.Tensor,
  output: tf.Tensor,
  options: ReconstructionLossOptions,
): tf.Tensor1D {
  const fn = 'reconstructionLoss';
  assertOneOf(fn, 'options.likelihood', options?.likelihood, LIKELIHOODS);
  switch (options.likelihood) {
    case 'bernoulli':
      return bceWithLogits(target, output);
    case 'gaussian':
      return gaussianNll(target, output, options.logVar ?? 0);
    case 'gaussian-learned':
      if (options.logVar === undefined || typeof options.logVar === 'number') {
        throw new ConfigError(
          formatExpected(
            fn,
            'options.logVar',
            "a tensor for likelihood 'gaussian-learned'",
            options.logVar === undefined ? 'undefined' : String(options.logVar),
          ),
        );
      }
      return gaussianNll(target, output, options.logVar);
  }
}
