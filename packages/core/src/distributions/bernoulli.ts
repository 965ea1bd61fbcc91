/**
 * Bernoulli likelihood from logits, the usual decoder for binarised (or grey-level) images.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertPair, sumPerExample } from './reduce';

/**
 * x·l − softplus(l) element-wise, written as −(max(l, 0) − l·x + log1p(exp(−|l|))) so that no exp overflows.
 * Exported for losses; not part of the public API.
 */
export function bernoulliLogElements(x: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  const positivePart = tf.relu(logits);
  const logTerm = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
  return tf.neg(tf.add(tf.sub(positivePart, tf.mul(logits, x)), logTerm));
}

/**
 * log p(x | logits) = Σ x·log σ(l) + (1 − x)·log(1 − σ(l)) per example, in nats; finite for any logit size.
 * Targets in [0, 1] are not read back to check (that would stall a training step); grey levels are allowed.
 * @param x float32 [batch, ...] targets in [0, 1]
 * @param logits float32, same shape
 * @returns float32 [batch], ≤ 0 for binary x
 * @example bernoulliLogLikelihood(images, decoderLogits) // [8]
 */
export function bernoulliLogLikelihood(x: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  assertPair('bernoulliLogLikelihood', 'x', x, 'logits', logits);
  return tf.tidy(() => sumPerExample(bernoulliLogElements(x, logits)));
}
