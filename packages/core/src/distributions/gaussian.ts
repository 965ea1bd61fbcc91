/**
 * Diagonal Gaussian N(mean, diag(exp(logVar))) parameterised by mean and log-variance, as the VAE encoder outputs
 * it (Kingma & Welling 2014, https://arxiv.org/abs/1312.6114). Per-example results sum over every axis but the first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertRank } from '../checks';
import { formatExpected, ValueError } from '../errors';
import { FUSED_KERNELS, hasFusedKernels } from '../fused-kernels';
import { tfSeed } from '../random';
import { assertBatchedFloat, assertBroadcastsTo, assertPair, LOG_2PI, sumPerExample } from './reduce';

/**
 * Reparameterised sample z = mean + exp(logVar / 2) · ε, ε ~ N(0, I); gradients flow to mean and logVar.
 * @param mean float32 [batch, ...]
 * @param logVar float32, same shape as mean
 * @param seed integer seed for ε (same seed → same z on cpu); omit for fresh randomness
 * @returns z float32, same shape as mean
 * @example const z = gaussianSample(mean, logVar, 7); // [8, 16]
 */
export function gaussianSample(mean: tf.Tensor, logVar: tf.Tensor, seed?: number): tf.Tensor {
  assertPair('gaussianSample', 'mean', mean, 'logVar', logVar);
  if (seed !== undefined && !Number.isFinite(seed)) {
    throw new ValueError(formatExpected('gaussianSample', 'seed', 'a finite number or undefined', String(seed)));
  }
  return tf.tidy(() => {
    const epsilon = tf.randomNormal(mean.shape, 0, 1, 'float32', seed === undefined ? undefined : tfSeed(seed));
    if (hasFusedKernels(FUSED_KERNELS.gaussianSample, FUSED_KERNELS.gaussianSampleGrad)) {
      registerFusedGradients();
      return tf.engine().runKernel(FUSED_KERNELS.gaussianSample, { mean, logVar, epsilon }) as tf.Tensor;
    }
    return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), epsilon));
  });
}

/**
 * log N(x; mean, diag(exp(logVar))) summed per example, in nats.
 * @param x float32 [batch, ...]
 * @param mean float32, same shape as x
 * @param logVar float32, a shape that broadcasts to x (same shape, a scalar, or e.g. [1, ...])
 * @returns float32 [batch]
 * @example gaussianLogDensity(z, mean, logVar) // [8]
 */
export function gaussianLogDensity(x: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  assertPair('gaussianLogDensity', 'x', x, 'mean', mean);
  assertBroadcastsTo('gaussianLogDensity', 'logVar', logVar, x.shape);
  return tf.tidy(() => sumPerExample(logDensityElements(x, mean, logVar)));
}

/** -½ (log 2π + logVar + (x - mean)² / exp(logVar)), element-wise. */
export function logDensityElements(x: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor | number): tf.Tensor {
  const squared = tf.square(tf.sub(x, mean));
  const scaled =
    typeof logVar === 'number' ? tf.mul(squared, Math.exp(-logVar)) : tf.mul(squared, tf.exp(tf.neg(logVar)));
  return tf.mul(tf.add(tf.add(scaled, logVar), LOG_2PI), -0.5);
}

/**
 * log N(x; 0, I) summed per example, in nats: the standard normal prior p(z).
 * @param x float32 [batch, ...]
 * @returns float32 [batch]
 * @example standardNormalLogDensity(z) // [8]
 */
export function standardNormalLogDensity(x: tf.Tensor): tf.Tensor1D {
  assertBatchedFloat('standardNormalLogDensity', 'x', x);
  return tf.tidy(() => sumPerExample(tf.mul(tf.add(tf.square(x), LOG_2PI), -0.5)));
}

/**
 * KL(N(mean, exp(logVar)) ‖ N(0, I)) per latent dimension, closed form ½ (exp(logVar) + mean² − 1 − logVar).
 * @param mean float32 [batch, dim]
 * @param logVar float32 [batch, dim]
 * @returns float32 [batch, dim], ≥ 0
 * @example freeBits(klPerDimension(mean, logVar), 0.5) // [8]
 */
export function klPerDimension(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  assertRank('klPerDimension', 'mean', mean, 2);
  assertPair('klPerDimension', 'mean', mean, 'logVar', logVar);
  return tf.tidy(() => klElements(mean, logVar) as tf.Tensor2D);
}

function klElements(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), tf.add(logVar, 1)), 0.5);
}

/**
 * KL(q ‖ N(0, I)) for q = N(mean, diag(exp(logVar))), closed form, summed per example, in nats.
 * @param mean float32 [batch, ...]
 * @param logVar float32, same shape
 * @returns float32 [batch], ≥ 0
 * @example const kl = klStandardNormal(mean, logVar); // [8]
 */
export function klStandardNormal(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  assertPair('klStandardNormal', 'mean', mean, 'logVar', logVar);
  return tf.tidy(() => {
    if (hasFusedKernels(FUSED_KERNELS.gaussianKl, FUSED_KERNELS.gaussianKlGrad)) {
      registerFusedGradients();
      return tf.engine().runKernel(FUSED_KERNELS.gaussianKl, { mean, logVar }) as tf.Tensor1D;
    }
    return klStandardNormalOp()(mean, logVar);
  });
}

type KlOp = (mean: tf.Tensor, logVar: tf.Tensor) => tf.Tensor1D;
let klOp: KlOp | undefined;

/**
 * The summed KL with its gradient written out, ∂/∂mean = mean, ∂/∂logVar = ½ (exp(logVar) − 1) (times the example's
 * upstream gradient): 5 ops where autodiff of the formula takes 11. Built lazily (importing touches no engine).
 */
function klStandardNormalOp(): KlOp {
  klOp ??= tf.customGrad((meanValues, logVarValues, save) => {
    const [m, lv] = [meanValues as tf.Tensor, logVarValues as tf.Tensor];
    (save as (tensors: tf.Tensor[]) => void)([m, lv]);
    return {
      value: sumPerExample(klElements(m, lv)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedMean, savedLogVar] = saved as [tf.Tensor, tf.Tensor];
        const scale = tf.reshape(dy, [dy.shape[0] as number, ...savedMean.shape.slice(1).map(() => 1)]);
        return [tf.mul(scale, savedMean), tf.mul(tf.mul(scale, 0.5), tf.sub(tf.exp(savedLogVar), 1))];
      },
    };
  }) as unknown as KlOp;
  return klOp;
}

/**
 * KL(q ‖ p) between diagonal Gaussians, closed form, summed per example:
 * ½ Σ (logVarP − logVarQ + (exp(logVarQ) + (meanQ − meanP)²) / exp(logVarP) − 1).
 * @param meanQ float32 [batch, ...]
 * @param logVarQ float32, same shape as meanQ
 * @param meanP float32, a shape that broadcasts to meanQ (e.g. a learned prior [dim])
 * @param logVarP float32, a shape that broadcasts to meanQ
 * @returns float32 [batch], ≥ 0
 * @example klGaussians(meanQ, logVarQ, meanP, logVarP) // [8]
 */
export function klGaussians(meanQ: tf.Tensor, logVarQ: tf.Tensor, meanP: tf.Tensor, logVarP: tf.Tensor): tf.Tensor1D {
  assertPair('klGaussians', 'meanQ', meanQ, 'logVarQ', logVarQ);
  assertBroadcastsTo('klGaussians', 'meanP', meanP, meanQ.shape);
  assertBroadcastsTo('klGaussians', 'logVarP', logVarP, meanQ.shape);
  return tf.tidy(() => {
    const ratio = tf.mul(tf.add(tf.exp(logVarQ), tf.square(tf.sub(meanQ, meanP))), tf.exp(tf.neg(logVarP)));
    const elements = tf.mul(tf.sub(tf.add(tf.sub(logVarP, logVarQ), ratio), 1), 0.5);
    return sumPerExample(elements);
  });
}

/**
 * The gradients of the fused sample and KL kernels (where the active backend has them: the wasm backend with
 * @vaejs/backend's native kernels), registered on first use. Each gradient kernel gives dμ and d log σ² in one call
 * (from dy and the saved inputs); ε's gradient is computed only if something asks for it.
 */
function registerFusedGradients(): void {
  if (tf.getGradient(FUSED_KERNELS.gaussianSample) != null) return;
  registerMeanLogVarGradient(FUSED_KERNELS.gaussianSample, FUSED_KERNELS.gaussianSampleGrad, ['logVar', 'epsilon'], {
    epsilon: (dy, [logVar]) => tf.mul(dy, tf.exp(tf.mul(logVar as tf.Tensor, 0.5))),
  });
  registerMeanLogVarGradient(FUSED_KERNELS.gaussianKl, FUSED_KERNELS.gaussianKlGrad, ['mean', 'logVar']);
}

/** A fused kernel's gradient: its gradient kernel's two outputs for `mean` and `logVar`, and `others` for the rest. */
function registerMeanLogVarGradient(
  kernelName: string,
  gradientKernel: string,
  inputsToSave: string[],
  others: Record<string, (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor> = {},
): void {
  tf.registerGradient({
    kernelName,
    inputsToSave,
    gradFunc: (dy, saved) => {
      const kept = saved as tf.Tensor[];
      const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor };
      inputsToSave.forEach((name, i) => {
        inputs[name] = kept[i] as tf.Tensor;
      });
      const [dMean, dLogVar] = tf.engine().runKernel(gradientKernel, inputs) as tf.Tensor[];
      const gradients: Record<string, () => tf.Tensor> = {
        mean: () => dMean as tf.Tensor,
        logVar: () => dLogVar as tf.Tensor,
      };
      for (const [name, gradient] of Object.entries(others)) gradients[name] = () => gradient(dy as tf.Tensor, kept);
      return gradients;
    },
  });
}
