/**
 * Bernoulli likelihood from logits, the usual decoder for binarised (or grey-level) images.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernels } from '../fused-kernels';
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
  return tf.tidy(() => bernoulliPerExample(x, logits));
}

type PerExample = (x: tf.Tensor, logits: tf.Tensor) => tf.Tensor1D;
let perExampleOp: PerExample | undefined;

/**
 * Σ x·l − softplus(l) per example, with its gradient written out: ∂/∂l = x − σ(l), ∂/∂x = l (each times the
 * example's upstream gradient). Autodiff of the element-wise formula takes about 20 ops over the image tensor (the
 * masks of relu and |l|, their products and sums); this takes 4. Where the active backend has @vaejs/core's fused
 * Bernoulli kernels (the wasm backend with @vaejs/backend's native kernels) it is one kernel call each way, the
 * gradient w.r.t. x is computed only when something asks for it, and there is no second-order gradient. The values
 * are the formula's; the gradients equal autodiff's to float rounding. Exported for losses; not part of the public
 * API.
 * @param x float32 [batch, ...]
 * @param logits float32, same shape
 * @returns float32 [batch]
 */
export function bernoulliPerExample(x: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  // (rank 1 keeps the ops: each example's one term is its value as is, where the kernel adds it to 0, which turns a
  // −0 into +0)
  if (x.rank > 1 && hasFusedKernels(FUSED_KERNELS.bernoulliLogLikelihood, FUSED_KERNELS.bernoulliLogLikelihoodGrad)) {
    registerFusedGradient();
    return tf.engine().runKernel(FUSED_KERNELS.bernoulliLogLikelihood, { x, logits }) as tf.Tensor1D;
  }
  // built lazily, so that importing the package touches no tfjs engine state
  perExampleOp ??= tf.customGrad((target, logitValues, save) => {
    const [xs, ls] = [target as tf.Tensor, logitValues as tf.Tensor];
    (save as (tensors: tf.Tensor[]) => void)([xs, ls]);
    return {
      value: sumPerExample(bernoulliLogElements(xs, ls)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedLogits] = saved as [tf.Tensor, tf.Tensor];
        const scale = perExampleScale(dy, savedX);
        return [tf.mul(scale, savedLogits), tf.mul(scale, tf.sub(savedX, tf.sigmoid(savedLogits)))];
      },
    };
  }) as unknown as PerExample;
  return perExampleOp(x, logits);
}

/** dy [batch] as [batch, 1, …, 1], to scale every value of an example shaped like `like`. */
function perExampleScale(dy: tf.Tensor, like: tf.Tensor): tf.Tensor {
  return tf.reshape(dy, [dy.shape[0] as number, ...like.shape.slice(1).map(() => 1)]);
}

/**
 * The fused kernel's gradient, registered on first use: one closure per input, so that tfjs computes the targets'
 * gradient only when they are on the path to a variable (training never asks for it).
 */
function registerFusedGradient(): void {
  if (tf.getGradient(FUSED_KERNELS.bernoulliLogLikelihood) != null) return;
  tf.registerGradient({
    kernelName: FUSED_KERNELS.bernoulliLogLikelihood,
    inputsToSave: ['x', 'logits'],
    gradFunc: (dy, saved) => {
      const [x, logits] = saved as [tf.Tensor, tf.Tensor];
      return {
        x: () => tf.mul(perExampleScale(dy as tf.Tensor, logits), logits),
        logits: () =>
          tf
            .engine()
            .runKernel(FUSED_KERNELS.bernoulliLogLikelihoodGrad, { dy: dy as tf.Tensor, x, logits }) as tf.Tensor,
      };
    },
  });
}
