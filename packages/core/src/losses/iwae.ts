/**
 * The importance-weighted bound (Burda et al. 2016, https://arxiv.org/abs/1509.00519):
 * log p(x) ≥ L_k = E[log (1/k) Σ_i p(x, z_i) / q(z_i | x)], z_i ~ q(z | x); L_1 is the ELBO, L_k rises with k towards
 * log p(x). Computed with log-sum-exp so that log-weights of −1000 nats neither underflow nor overflow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertPositiveInt, assertRank, assertTensor } from '../checks';
import { ConfigError, formatExpected, ShapeError } from '../errors';

/**
 * log mean exp(x) along `axis`, stable: logSumExp(x, axis) − log n.
 * @param x float32, rank ≥ 1
 * @param axis default 0; negative counts from the end
 * @returns float32, x's shape without `axis`
 * @example logMeanExp(tf.tensor1d([-1000, -1000])) // scalar −1000
 */
export function logMeanExp(x: tf.Tensor, axis = 0): tf.Tensor {
  assertTensor('logMeanExp', 'x', x);
  if (x.rank < 1) {
    throw new ShapeError(formatExpected('logMeanExp', 'x', 'rank ≥ 1', 'rank 0 (a scalar)'));
  }
  assertDtype('logMeanExp', 'x', x, 'float32');
  if (!Number.isInteger(axis) || axis < -x.rank || axis >= x.rank) {
    throw new ConfigError(
      formatExpected('logMeanExp', 'axis', `an integer in [${-x.rank}, ${x.rank - 1}]`, String(axis)),
    );
  }
  const size = x.shape[axis < 0 ? x.rank + axis : axis] as number;
  return tf.tidy(() => tf.sub(tf.logSumExp(x, axis), Math.log(size)));
}

/**
 * IWAE bound per example from k log importance weights log w_i = log p(x, z_i) − log q(z_i | x).
 * @param logWeights float32 [k, batch]
 * @returns float32 [batch], nats (an estimate of log p(x), ≤ it in expectation)
 * @example iwaeBound(logWeights) // logWeights [64, 8] → [8]
 */
export function iwaeBound(logWeights: tf.Tensor2D): tf.Tensor1D {
  assertRank('iwaeBound', 'logWeights', logWeights, 2);
  assertDtype('iwaeBound', 'logWeights', logWeights, 'float32');
  return logMeanExp(logWeights, 0) as tf.Tensor1D;
}

/**
 * Converts a negative log-likelihood in nats (per example) to bits per dimension: nats / (dims · ln 2).
 * @param nats −log p(x), e.g. −mean(iwaeBound(...)); a finite number
 * @param dims number of dimensions of x (784 for MNIST)
 * @returns bits per dimension
 * @example bitsPerDim(80, 784) // ≈ 0.147
 */
export function bitsPerDim(nats: number, dims: number): number {
  if (typeof nats !== 'number' || !Number.isFinite(nats)) {
    throw new ConfigError(formatExpected('bitsPerDim', 'nats', 'a finite number', String(nats)));
  }
  assertPositiveInt('bitsPerDim', 'dims', dims);
  return nats / (dims * Math.LN2);
}
