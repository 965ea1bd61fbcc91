import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { bceWithLogits, mse, reconstructionLoss } from '@vaejs/core';
import { isVariational, type ResolvedVaeConfig } from './config';
import { LAYER_NAMES } from './network';

/** What every operation works on: the resolved config and the two LayersModels. */
export interface VaeParts {
  readonly config: ResolvedVaeConfig;
  readonly encoder: tfl.LayersModel;
  readonly decoder: tfl.LayersModel;
}

/** Encoder forward pass (no checks). `logVar` is `null` for `'ae'`/`'dae'`. Call inside `tf.tidy`. */
export function runEncoder(
  parts: VaeParts,
  x: tf.Tensor4D,
  oneHot: tf.Tensor2D | null,
): { mean: tf.Tensor2D; logVar: tf.Tensor2D | null } {
  const output = parts.encoder.apply(oneHot ? [x, oneHot] : x) as tf.Tensor | tf.Tensor[];
  if (isVariational(parts.config.kind)) {
    const [mean, logVar] = output as tf.Tensor2D[];
    return { mean: mean as tf.Tensor2D, logVar: logVar as tf.Tensor2D };
  }
  return { mean: (Array.isArray(output) ? output[0] : output) as tf.Tensor2D, logVar: null };
}

/** Decoder forward pass (no checks): logits for Bernoulli, the mean image for the Gaussians. */
export function runDecoder(parts: VaeParts, z: tf.Tensor2D, oneHot: tf.Tensor2D | null): tf.Tensor4D {
  return parts.decoder.apply(oneHot ? [z, oneHot] : z) as tf.Tensor4D;
}

/** Decoder output → image in [0, 1]: sigmoid of the logits for Bernoulli, the output itself otherwise. */
export function outputToImage(config: ResolvedVaeConfig, output: tf.Tensor4D): tf.Tensor4D {
  return config.likelihood === 'bernoulli' ? tf.sigmoid(output) : output;
}

/** The learned log-variance variable of a `'gaussian-learned'` decoder (`[1]` or `[h, w, c]`), else `null`. */
export function learnedLogVar(parts: VaeParts): tf.Tensor | null {
  if (parts.config.likelihood !== 'gaussian-learned') return null;
  const layer = parts.decoder.getLayer(LAYER_NAMES.logVariance);
  const weight = layer.trainableWeights[0];
  if (!weight) throw new Error(`vae: expected layer ${LAYER_NAMES.logVariance} to hold a weight, got none.`);
  return weight.read();
}

/** All trainable variables of encoder and decoder (including the learned log-variance). */
export function trainableVariables(parts: VaeParts): tf.Variable[] {
  return [...parts.encoder.trainableWeights, ...parts.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
}

/**
 * Reconstruction term per example, summed over pixels: float32 `[batch]`.
 * Bernoulli: BCE from logits (= −log p(target|z)). Gaussian: the sum of squared errors (PyTorch-style MSE loss),
 * which is −log N(target; mean, σ² = ½) minus the constant {@link gaussianConstant}. Gaussian-learned: the full
 * Gaussian NLL with the learned log σ².
 */
export function reconstructionPerExample(parts: VaeParts, target: tf.Tensor4D, output: tf.Tensor4D): tf.Tensor1D {
  const { likelihood } = parts.config;
  if (likelihood === 'bernoulli') return bceWithLogits(target, output);
  if (likelihood === 'gaussian') return mse(target, output);
  return reconstructionLoss(target, output, {
    likelihood: 'gaussian-learned',
    logVar: learnedLogVar(parts) as tf.Tensor,
  });
}

/**
 * What to add to the reconstruction term to get −log p(target|z) in nats: ½·D·log π for `'gaussian'` (the
 * normaliser of N(·; mean, ½) over D = h·w·c pixels), 0 for the others.
 */
export function gaussianConstant(config: ResolvedVaeConfig): number {
  const [height, width, channels] = config.inputShape;
  return config.likelihood === 'gaussian' ? 0.5 * height * width * channels * Math.log(Math.PI) : 0;
}
