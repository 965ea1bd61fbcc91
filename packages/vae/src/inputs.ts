import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertRank, assertShape, assertValueRange, formatExpected, ValueError } from '@vaejs/core';
import type { ResolvedVaeConfig } from './config';

/**
 * Checks an image batch against the config: rank 4, `[batch, h, w, c]` with `[h, w, c] = config.inputShape`,
 * float32. Values are not read (no GPU sync).
 */
export function checkImages(
  fn: string,
  argument: string,
  x: unknown,
  config: ResolvedVaeConfig,
): asserts x is tf.Tensor4D {
  assertRank(fn, argument, x as tf.Tensor, 4);
  assertShape(fn, argument, x as tf.Tensor, [null, ...config.inputShape], 'config.inputShape');
  assertDtype(fn, argument, x as tf.Tensor, 'float32');
}

/** Checks a latent batch: float32 `[batch, latentDim]`. */
export function checkLatents(
  fn: string,
  argument: string,
  z: unknown,
  config: ResolvedVaeConfig,
): asserts z is tf.Tensor2D {
  assertShape(fn, argument, z as tf.Tensor, [null, config.latentDim], 'config.latentDim');
  assertDtype(fn, argument, z as tf.Tensor, 'float32');
}

/**
 * Checks labels for a batch of `batch` examples and returns them one-hot (float32 `[batch, numClasses]`), or
 * `null` when the model is not conditional (labels are then ignored, so one data pipeline can feed every kind).
 * With `readValues` the values are read back and checked to lie in [0, numClasses - 1]; training steps skip that
 * read to stay free of GPU syncs.
 */
export function labelsToOneHot(
  fn: string,
  labels: unknown,
  batch: number,
  config: ResolvedVaeConfig,
  readValues: boolean,
): tf.Tensor2D | null {
  if (config.kind !== 'cvae') return null;
  if (labels === undefined || labels === null) {
    throw new ValueError(
      formatExpected(fn, 'labels', `int32 [${batch}] class indices (config.kind 'cvae')`, String(labels)),
    );
  }
  assertShape(fn, 'labels', labels as tf.Tensor, [batch], 'one per example');
  assertDtype(fn, 'labels', labels as tf.Tensor, 'int32');
  if (readValues) assertValueRange(fn, 'labels', labels as tf.Tensor, 0, config.numClasses - 1);
  return tf.tidy(() => tf.cast(tf.oneHot(labels as tf.Tensor1D, config.numClasses), 'float32') as tf.Tensor2D);
}

/** Checks a class index given as a plain number (for generate, interpolate, latentGrid). */
export function checkLabelNumber(fn: string, argument: string, label: unknown, config: ResolvedVaeConfig): number {
  const valid = typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < config.numClasses;
  if (!valid) {
    throw new ValueError(
      formatExpected(
        fn,
        argument,
        `an integer class index in [0, ${config.numClasses - 1}] (config.kind 'cvae')`,
        String(label),
      ),
    );
  }
  return label as number;
}
