import * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertShape,
  assertTensor,
  assertValueRange,
  describeValue,
  formatExpected,
  ShapeError,
  ValueError,
} from '@vaejs/core';
import type { ResolvedPixelCnnConfig } from './config';

/**
 * Checks a map batch at a public boundary: int32 [n, height, width] with n ≥ 1 and, when `checkValues`, every value in
 * [0, K) (a synchronous read-back).
 */
export function assertMaps(
  fn: string,
  maps: unknown,
  config: ResolvedPixelCnnConfig,
  checkValues = true,
): asserts maps is tf.Tensor3D {
  assertTensor(fn, 'maps', maps);
  assertDtype(fn, 'maps', maps, 'int32');
  assertShape(fn, 'maps', maps, [null, config.height, config.width], 'height and width from config');
  if (maps.shape[0] === 0) {
    throw new ShapeError(formatExpected(fn, 'maps', 'at least one map', 'shape [0,…]'));
  }
  if (checkValues) assertValueRange(fn, 'maps', maps, 0, config.numCategories - 1);
}

/** Labels as the user may pass them: a tensor int32 [n], an array of n class indices, or one index for all n. */
export type LabelsInput = tf.Tensor1D | readonly number[] | number;

/**
 * Checks `labels` against the config and the batch size `n`; returns them one-hot, float32 [n, numClasses], or
 * `undefined` for an unconditioned model (which must not be given labels). The caller owns the returned tensor.
 */
export function labelsToOneHot(
  fn: string,
  labels: LabelsInput | undefined,
  n: number,
  config: ResolvedPixelCnnConfig,
  checkValues = true,
): tf.Tensor2D | undefined {
  if (config.numClasses === 0) {
    if (labels !== undefined) {
      throw new ValueError(
        formatExpected(
          fn,
          'labels',
          'undefined (config.numClasses is 0: the model is unconditioned)',
          describe(labels),
        ),
      );
    }
    return undefined;
  }
  const expectation = `int32 [${n}] in [0, ${config.numClasses - 1}] (config.numClasses is ${config.numClasses})`;
  if (labels === undefined) throw new ValueError(formatExpected(fn, 'labels', expectation, 'undefined'));
  if (typeof labels === 'number' || Array.isArray(labels)) {
    const values = typeof labels === 'number' ? new Array<number>(n).fill(labels) : (labels as number[]);
    const valid = values.length === n && values.every((v) => Number.isInteger(v) && v >= 0 && v < config.numClasses);
    if (!valid) throw new ValueError(formatExpected(fn, 'labels', expectation, describe(labels)));
    return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(values, 'int32'), config.numClasses), 'float32') as tf.Tensor2D);
  }
  const tensor = labels as tf.Tensor;
  assertTensor(fn, 'labels', tensor);
  assertDtype(fn, 'labels', tensor, 'int32');
  assertShape(fn, 'labels', tensor, [n], 'one per map');
  if (checkValues) assertValueRange(fn, 'labels', tensor, 0, config.numClasses - 1);
  return tf.tidy(() => tf.cast(tf.oneHot(tensor as tf.Tensor1D, config.numClasses), 'float32') as tf.Tensor2D);
}

// helpers

function describe(labels: LabelsInput): string {
  if (Array.isArray(labels)) return `[${labels.join(',')}]`;
  return describeValue(labels);
}
