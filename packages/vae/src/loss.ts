import * as tf from '@tensorflow/tfjs-core';
import {
  assertNumberInRange,
  assertSameShape,
  ConfigError,
  describeValue,
  elbo,
  formatExpected,
  gaussianSample,
  klStandardNormal,
  type TrainStepOptions,
} from '@vaejs/core';
import { isVariational } from './config';
import { reconstructionPerExample, runDecoder, runEncoder, trainableVariables, type VaeParts } from './forward';
import { checkImages, conditioningOneHot } from './inputs';

/** One batch: the input `x`, the target to reconstruct (default `x`; the clean image for the denoising AE), labels for `'cvae'`. */
export interface VaeBatch {
  /** float32 `[batch, h, w, c]` in [0, 1] (corrupted, for `'dae'`). */
  x: tf.Tensor;
  /** float32 `[batch, h, w, c]`; required for `'dae'`, defaults to `x` otherwise. */
  target?: tf.Tensor;
  /** int32 `[batch]` class indices; required for `'cvae'`, ignored otherwise. */
  labels?: tf.Tensor;
}

/** Per-step options: `@vaejs/training`'s step options (the VAE reads `seed` and `beta`, ignores the others). */
export interface VaeStepOptions extends TrainStepOptions {
  /** Seed of the reparameterisation noise ε (the trainer draws one per step from its RNG). */
  seed?: number;
  /** KL weight for this step (annealing schedules); default `config.beta`. */
  beta?: number;
}

/** Loss parts, float32 scalars, means over the batch of per-example sums over pixels. `loss` = reconstruction + beta·kl. */
export interface VaeLossParts extends Record<string, tf.Scalar> {
  loss: tf.Scalar;
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
}

export interface CheckedBatch {
  x: tf.Tensor4D;
  target: tf.Tensor4D;
  oneHot: tf.Tensor2D | null;
  beta: number;
  seed: number | undefined;
}

/** Validates a batch and step options; returns what the loss needs (a one-hot the caller must dispose). */
export function checkBatch(
  fn: string,
  parts: VaeParts,
  batch: VaeBatch,
  options: VaeStepOptions,
  readValues: boolean,
): CheckedBatch {
  const { config } = parts;
  if (typeof batch !== 'object' || batch === null) {
    throw new ConfigError(formatExpected(fn, 'batch', 'an object { x, target?, labels? }', describeValue(batch)));
  }
  checkImages(fn, 'batch.x', batch.x, config);
  if (batch.target === undefined && config.kind === 'dae') {
    throw new ConfigError(
      formatExpected(
        fn,
        'batch.target',
        "the clean images (config.kind 'dae' trains corrupted x against a clean target)",
        'undefined',
      ),
    );
  }
  const target = batch.target ?? batch.x;
  checkImages(fn, 'batch.target', target, config);
  assertSameShape(fn, 'batch.x', batch.x, 'batch.target', target);
  const beta = options.beta ?? config.beta;
  assertNumberInRange(fn, 'options.beta', beta, 0, Number.MAX_VALUE);
  if (options.seed !== undefined) assertNumberInRange(fn, 'options.seed', options.seed, -(2 ** 53), 2 ** 53);
  const oneHot = conditioningOneHot(fn, batch.labels, batch.x.shape[0], config, readValues);
  return { x: batch.x, target, oneHot, beta, seed: options.seed };
}

/**
 * The loss graph (no checks, call inside a tidy or a gradient closure). Variational kinds sample
 * z = μ + σ·ε with the given seed and use the closed-form KL to N(0, I); the AEs decode z = encoder output, kl = 0.
 */
export function lossTensors(parts: VaeParts, checked: CheckedBatch): VaeLossParts {
  const terms = perExampleTerms(parts, checked);
  const beta = isVariational(parts.config.kind) ? checked.beta : 0;
  const { loss, reconstruction, kl } = elbo(terms.reconstruction, terms.kl, { beta });
  return { loss, reconstruction, kl };
}

/**
 * Per-example reconstruction and KL, float32 `[batch]` each (call inside a tidy). Variational kinds sample
 * z = μ + σ·ε with the given seed and use the closed-form KL to N(0, I); the AEs decode the code, kl = 0.
 */
export function perExampleTerms(
  parts: VaeParts,
  checked: CheckedBatch,
): { reconstruction: tf.Tensor1D; kl: tf.Tensor1D } {
  const { mean, logVar } = runEncoder(parts, checked.x, checked.oneHot);
  const z = logVar ? (gaussianSample(mean, logVar, checked.seed) as tf.Tensor2D) : mean;
  const kl = logVar ? klStandardNormal(mean, logVar) : (tf.zeros([checked.x.shape[0]]) as tf.Tensor1D);
  const output = runDecoder(parts, z, checked.oneHot);
  return { reconstruction: reconstructionPerExample(parts, checked.target, output), kl };
}

/** Loss parts without updating any weight (test loss). Label values are checked (one read back). */
export function computeLossParts(parts: VaeParts, batch: VaeBatch, options: VaeStepOptions = {}): VaeLossParts {
  const checked = checkBatch('vae.lossParts', parts, batch, options, true);
  try {
    return tf.tidy(() => lossTensors(parts, checked));
  } finally {
    checked.oneHot?.dispose();
  }
}

/**
 * One optimisation step: minimises `loss` over every trainable weight with one `optimizer.minimize` call and
 * returns the parts. No value is read back to JS (label values are not range-checked here, only shape and dtype).
 */
export function trainStep(
  parts: VaeParts,
  optimizer: tf.Optimizer,
  batch: VaeBatch,
  options: VaeStepOptions = {},
): VaeLossParts {
  if (typeof (optimizer as Partial<tf.Optimizer> | null)?.minimize !== 'function') {
    throw new ConfigError(formatExpected('vae.trainStep', 'optimizer', 'a tf.Optimizer', describeValue(optimizer)));
  }
  const checked = checkBatch('vae.trainStep', parts, batch, options, false);
  const varList = trainableVariables(parts);
  try {
    return tf.tidy(() => {
      let reconstruction: tf.Scalar | undefined;
      let kl: tf.Scalar | undefined;
      const loss = optimizer.minimize(
        () => {
          const result = lossTensors(parts, checked);
          // keep: minimize runs this closure in its own tidy, which would dispose the parts we report.
          reconstruction = tf.keep(result.reconstruction);
          kl = tf.keep(result.kl);
          return result.loss;
        },
        true,
        varList,
      ) as tf.Scalar;
      return { loss, reconstruction: reconstruction as tf.Scalar, kl: kl as tf.Scalar };
    });
  } finally {
    checked.oneHot?.dispose();
  }
}
