import type * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertShape,
  assertTensor,
  assertValueRange,
  describeValue,
  formatExpected,
  type LabelsInput,
  labelsToOneHot,
  ShapeError,
  ValueError,
} from '@vaejs/core';
import type { ResolvedPixelCnnConfig } from './config';

export type { LabelsInput };

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

/**
 * Checks `labels` against the config and the batch size `n`; returns them one-hot, float32 [n, numClasses], or
 * `undefined` for an unconditioned model (which must not be given labels). The caller owns the returned tensor.
 */
export function conditioningOneHot(
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
          Array.isArray(labels) ? `[${labels.join(',')}]` : describeValue(labels),
        ),
      );
    }
    return undefined;
  }
  const note = `config.numClasses is ${config.numClasses}`;
  return labelsToOneHot(fn, labels, { numClasses: config.numClasses, count: n, checkValues, note });
}
