import * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertRank,
  assertShape,
  formatExpected,
  formatShape,
  labelsToOneHot,
  ShapeError,
  ValueError,
} from '@vaejs/core';
import type { ResolvedVaeConfig } from './config';

/** Labels for the generating operations of a `'cvae'`: one class index for all, or int32 `[n]`. */
export type VaeLabels = number | tf.Tensor;

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
 * The label input of a `'cvae'` for `count` examples: labels (int32 `[count]`, or one class index for all) checked and
 * one-hot, float32 `[count, numClasses]` (the caller disposes it), or `null` when the model is not conditional
 * (labels are then ignored, so one data pipeline can feed every kind). With `checkValues` a tensor's values are
 * read back and checked to lie in [0, numClasses − 1]; training steps skip that read to stay free of GPU syncs.
 */
export function conditioningOneHot(
  fn: string,
  labels: unknown,
  count: number,
  config: ResolvedVaeConfig,
  checkValues: boolean,
): tf.Tensor2D | null {
  if (config.kind !== 'cvae') return null;
  return labelsToOneHot(fn, labels, { numClasses: config.numClasses, count, checkValues, note: "config.kind 'cvae'" });
}

/** Checks a class index given as a plain number (interpolate's pair of labels, latentGrid's label). */
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

/** Checks interpolate's `options.labels`: `[labelA, labelB]`, two class indices. */
export function checkLabelPair(fn: string, labels: unknown, config: ResolvedVaeConfig): [number, number] {
  if (!Array.isArray(labels) || labels.length !== 2) {
    throw new ValueError(formatExpected(fn, 'options.labels', "[labelA, labelB] (config.kind 'cvae')", String(labels)));
  }
  return [
    checkLabelNumber(fn, 'options.labels[0]', labels[0], config),
    checkLabelNumber(fn, 'options.labels[1]', labels[1], config),
  ];
}

/** Accepts `[h, w, c]` or `[1, h, w, c]`; returns `[1, h, w, c]` (a new tensor; call inside tidy). */
export function asSingleImage(fn: string, argument: string, image: tf.Tensor, config: ResolvedVaeConfig): tf.Tensor4D {
  const batched = image?.rank === 3 ? tf.expandDims(image, 0) : image;
  checkImages(fn, argument, batched, config);
  if (batched.shape[0] !== 1) {
    throw new ShapeError(
      formatExpected(fn, argument, 'one image [1, h, w, c] or [h, w, c]', `shape ${formatShape(batched.shape)}`),
    );
  }
  return tf.clone(batched) as tf.Tensor4D;
}
