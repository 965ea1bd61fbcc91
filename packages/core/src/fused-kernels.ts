import * as tf from '@tensorflow/tfjs-core';

/**
 * Fused kernels a backend may add, and that model packages use where the active backend has them (the same values as
 * the ops they replace, which run everywhere else). `@vaejs/backend` adds them to the wasm backend when its native
 * kernels are loaded; no other backend needs them.
 *
 * - `gatedActivation`: inputs `x` float32 [n, ..., 2C] and, optionally, `bias` float32 [n, 2C] (one row per example,
 *   added at every position of it); output [n, ..., C] = tanh(a) ⊙ sigmoid(b), where a and b are the first and second
 *   C channels of x + bias (the gate of a gated PixelCNN).
 * - `gatedActivationGrad`: inputs `dy` [n, ..., C], `x` and optionally `bias` as above; output [n, ..., 2C], the
 *   gradient w.r.t. x: dy·s·(1 − t²) on the first half and dy·t·s·(1 − s) on the second, t = tanh(a), s = sigmoid(b)
 *   (the bias's gradient is its sum over each example's positions).
 * - `bernoulliLogLikelihood`: inputs `x` (targets) and `logits`, float32 [n, ...] of one shape; output [n], each
 *   example's Σ x·l − softplus(l), computed as −((relu(l) − l·x) + log1p(exp(−|l|))) (the Bernoulli log-likelihood).
 * - `bernoulliLogLikelihoodGrad`: inputs `dy` [n], `x` and `logits` as above; output [n, ...], the gradient w.r.t. the
 *   logits: dy·(x − sigmoid(l)), dy of each example at every one of its positions.
 * - `gaussianSample`: inputs `mean`, `logVar` and `epsilon`, float32 of one shape; output mean + exp(½·logVar)·epsilon
 *   (the reparameterised sample of a VAE's posterior), computed as mean + exp(logVar·½)·epsilon.
 * - `gaussianSampleGrad`: inputs `dy`, `logVar` and `epsilon`, of one shape; outputs [dMean, dLogVar] = [dy,
 *   ((dy·epsilon)·exp(logVar·½))·½].
 * - `gaussianKl`: inputs `mean` and `logVar`, float32 [n, ...] of one shape; output [n], each example's Σ
 *   ((exp(logVar) + mean²) − (logVar + 1))·½ (the KL divergence from N(mean, exp(logVar)) to N(0, I)).
 * - `gaussianKlGrad`: inputs `dy` [n], `mean` and `logVar`; outputs [dMean, dLogVar] = [dy·mean, (dy·½)·(exp(logVar)
 *   − 1)], dy of each example at every one of its positions.
 *
 * Sums over an example's values start from 0 and add them in order. The gradient kernels have no gradient of their
 * own: a second-order gradient through a fused op throws where the fused kernels run.
 */
export const FUSED_KERNELS = Object.freeze({
  gatedActivation: 'VaejsGatedActivation',
  gatedActivationGrad: 'VaejsGatedActivationGrad',
  bernoulliLogLikelihood: 'VaejsBernoulliLogLikelihood',
  bernoulliLogLikelihoodGrad: 'VaejsBernoulliLogLikelihoodGrad',
  gaussianSample: 'VaejsGaussianSample',
  gaussianSampleGrad: 'VaejsGaussianSampleGrad',
  gaussianKl: 'VaejsGaussianKl',
  gaussianKlGrad: 'VaejsGaussianKlGrad',
} as const);

/** The name of one of {@link FUSED_KERNELS}. */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/** Whether the active backend has the fused kernel `name` (one of {@link FUSED_KERNELS}). */
export function hasFusedKernel(name: FusedKernelName): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}

/** Whether the active backend has every one of the fused kernels `names` (a kernel and its gradient, say). */
export function hasFusedKernels(...names: FusedKernelName[]): boolean {
  return names.every(hasFusedKernel);
}
