// The VQ-VAE objective (van den Oord et al. 2017, eq. 3): reconstruction error over the data variance, plus the
// quantiser's VQ loss (built by the quantiser, the one place it is defined).
import * as tf from '@tensorflow/tfjs-core';
import { mse } from '@vaejs/core';
import type { ResolvedVqVaeConfig } from './config';
import type { VqVaeBatch } from './inputs';
import type { VqVaeNetworks } from './network';
import type { Quantizer } from './quantizer';

/** Named loss parts, float32 scalars (batch means); the caller disposes them. */
export type VqVaeLossParts = {
  /** What is minimised: `reconstructionMse / dataVariance + codebook + beta·commitment` (no codebook term with EMA). */
  loss: tf.Scalar;
  /** Squared error summed over the pixels of an example, mean over the batch. */
  reconstruction: tf.Scalar;
  /** Squared error per pixel (= reconstruction / (H·W·C)). */
  reconstructionMse: tf.Scalar;
  /** Codebook loss `mean ||sg(z_e) − z_q||²` (reported with EMA too, not minimised then). */
  codebook: tf.Scalar;
  /** Commitment loss `mean ||z_e − sg(z_q)||²`, unweighted. */
  commitment: tf.Scalar;
  /** Perplexity of the batch's codes, in [1, K]. */
  perplexity: tf.Scalar;
  /** Share of codes used by the batch, in [0, 1]. */
  usage: tf.Scalar;
};

/**
 * Forward pass and loss parts of a checked batch; also returns z_e and the indices for the quantiser's update.
 * Creates tensors freely: call it inside `tf.tidy` or `optimizer.minimize`.
 * @param beta the commitment weight of this call (default config.quantizer.beta, applied by the quantiser)
 */
export function vqVaeForward(
  config: ResolvedVqVaeConfig,
  networks: VqVaeNetworks,
  quantizer: Quantizer,
  batch: VqVaeBatch,
  beta: number | undefined,
  training: boolean,
): { parts: VqVaeLossParts; zE: tf.Tensor; indices: tf.Tensor } {
  const [height, width, channels] = config.inputShape;
  const zE = networks.encoder.apply(batch.x, { training }) as tf.Tensor;
  const quantized = quantizer.quantize(zE, beta === undefined ? { training } : { beta, training });
  const output = networks.decoder.apply(quantized.output, { training }) as tf.Tensor;
  const reconstruction = tf.mean(mse(batch.target ?? batch.x, output)) as tf.Scalar;
  const reconstructionMse = tf.div(reconstruction, height * width * channels) as tf.Scalar;
  const parts: VqVaeLossParts = {
    loss: tf.add(tf.div(reconstructionMse, config.dataVariance), quantized.loss) as tf.Scalar,
    reconstruction,
    reconstructionMse,
    codebook: quantized.codebookLoss,
    commitment: quantized.commitmentLoss,
    perplexity: quantized.perplexity,
    usage: quantized.usage,
  };
  return { parts, zE, indices: quantized.indices };
}
