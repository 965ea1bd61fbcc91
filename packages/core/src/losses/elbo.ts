/**
 * The evidence lower bound, reported in parts, and free bits.
 *
 * −ELBO(x) = E_q[−log p(x|z)] + β · KL(q(z|x) ‖ p(z)) (Kingma & Welling 2014; β from Higgins et al. 2017).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertNumberInRange, assertRank, assertSameShape } from '../checks';

/**
 * The ELBO split into what it is made of. All scalars are means over the batch. (A type alias rather than an
 * interface so that it is a `tf.TensorContainer`: `tf.tidy(() => elbo(...))` type-checks.)
 */
export type ElboParts = {
  /** mean(reconstruction + beta · kl): the scalar to minimise. */
  loss: tf.Scalar;
  /** mean reconstruction term (negative log-likelihood), nats per example. */
  reconstruction: tf.Scalar;
  /** mean KL term, nats per example, before the beta weight. */
  kl: tf.Scalar;
  /** reconstruction + beta · kl per example, float32 [batch]; with beta = 1 this is −ELBO(x). */
  perExample: tf.Tensor1D;
};

/** Options for {@link elbo}. */
export interface ElboOptions {
  /** Weight of the KL term (β-VAE; or the value of a {@link klSchedule}). Default 1. */
  beta?: number;
}

/**
 * Combines per-example reconstruction NLL and KL into the loss and its parts.
 * @param reconstructionPerExample float32 [batch], e.g. from {@link reconstructionLoss}
 * @param klPerExample float32 [batch], e.g. from `klStandardNormal` or {@link freeBits}
 * @param options `{ beta? = 1 }`, beta ≥ 0
 * @returns `{ loss, reconstruction, kl }` scalars (batch means) and `perExample` [batch]; the caller disposes them
 * @example
 * const { loss, reconstruction, kl } = elbo(bceWithLogits(x, logits), klStandardNormal(mean, logVar), { beta: 4 });
 */
export function elbo(
  reconstructionPerExample: tf.Tensor1D,
  klPerExample: tf.Tensor1D,
  options: ElboOptions = {},
): ElboParts {
  const fn = 'elbo';
  assertRank(fn, 'reconstructionPerExample', reconstructionPerExample, 1);
  assertDtype(fn, 'reconstructionPerExample', reconstructionPerExample, 'float32');
  assertRank(fn, 'klPerExample', klPerExample, 1);
  assertDtype(fn, 'klPerExample', klPerExample, 'float32');
  assertSameShape(fn, 'reconstructionPerExample', reconstructionPerExample, 'klPerExample', klPerExample);
  const beta = options.beta ?? 1;
  assertNumberInRange(fn, 'options.beta', beta, 0, Number.MAX_VALUE);
  return tf.tidy(() => {
    const perExample = tf.add(reconstructionPerExample, tf.mul(klPerExample, beta)) as tf.Tensor1D;
    return {
      loss: tf.mean(perExample) as tf.Scalar,
      reconstruction: tf.mean(reconstructionPerExample) as tf.Scalar,
      kl: tf.mean(klPerExample) as tf.Scalar,
      perExample,
    };
  });
}

/**
 * Free bits (Kingma et al. 2016, https://arxiv.org/abs/1606.04934): each latent dimension's KL, averaged over the
 * batch, is floored at `lambda` nats, so the optimiser gains nothing by pushing it lower. Returned per example so
 * that its batch mean is exactly Σ_j max(lambda, mean_batch KL_j): dimensions below the floor contribute the
 * constant `lambda` (no gradient), the others their per-example KL.
 * @param klPerDim float32 [batch, dim], e.g. from `klPerDimension`
 * @param lambda floor in nats per dimension, ≥ 0
 * @returns float32 [batch]
 * @example freeBits(klPerDimension(mean, logVar), 0.25) // [8]
 */
export function freeBits(klPerDim: tf.Tensor2D, lambda: number): tf.Tensor1D {
  assertRank('freeBits', 'klPerDim', klPerDim, 2);
  assertDtype('freeBits', 'klPerDim', klPerDim, 'float32');
  assertNumberInRange('freeBits', 'lambda', lambda, 0, Number.MAX_VALUE);
  return tf.tidy(() => {
    // floored = 1 where the dimension's batch mean is below lambda. tf.step has a zero gradient (tf.less has none
    // registered, which would break tf.grads), so the mask itself passes no gradient.
    const floored = tf.step(tf.sub(lambda, tf.mean(klPerDim, 0, true)));
    const kept = tf.mul(tf.sub(1, floored), klPerDim);
    return tf.sum(tf.add(kept, tf.mul(floored, lambda)), 1) as tf.Tensor1D;
  });
}
