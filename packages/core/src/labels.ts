/**
 * Class labels → one-hot rows, the input of every class-conditional network (a conditional VAE's encoder and
 * decoder, a class-conditioned PixelCNN). One home for the checks, so every package words them the same way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertPositiveInt, assertShape, assertValueRange, describeValue } from './checks';
import { formatExpected, ValueError } from './errors';

/** Labels as a user may give them: int32 `[n]`, an array of n class indices, or one class index for all n. */
export type LabelsInput = tf.Tensor1D | readonly number[] | number;

/** Options of {@link labelsToOneHot}. */
export interface LabelsToOneHotOptions {
  /** K, the number of classes (≥ 1): indices lie in [0, K − 1]. */
  numClasses: number;
  /** n, the number of rows the labels must cover (the batch size). */
  count: number;
  /**
   * Read a tensor's values back to check they lie in [0, K − 1] (one synchronous read; a training step skips it to
   * stay free of GPU syncs: out-of-range indices then give zero rows, as `tf.oneHot` does). Arrays and numbers are
   * always checked. Default true.
   */
  checkValues?: boolean;
  /** Where K comes from, shown in brackets in messages: `"config.kind 'cvae'"`, `'config.numClasses is 10'`. */
  note?: string;
  /** The argument's name in messages. Default `'labels'`. */
  argument?: string;
}

/**
 * Checks labels and returns them one-hot.
 * @param fn the public function's name, first word of every message
 * @param labels int32 `[count]`, an array of `count` integers, or one integer for every row
 * @returns float32 `[count, numClasses]` (the caller owns it)
 * @throws ValueError for missing labels, indices out of range or not integers, e.g.
 *   `vae.encode: expected labels int32 [2] class indices in [0, 9] (config.kind 'cvae'), got undefined.`;
 *   ShapeError / DTypeError for a tensor of another shape or dtype.
 * @example labelsToOneHot('prior.sample', 3, { numClasses: 10, count: 2 }) // [[0,0,0,1,0,…], [0,0,0,1,0,…]]
 */
export function labelsToOneHot(fn: string, labels: unknown, options: LabelsToOneHotOptions): tf.Tensor2D {
  const { numClasses, count } = options;
  assertPositiveInt(fn, 'numClasses', numClasses);
  assertPositiveInt(fn, 'count', count, 0);
  const argument = options.argument ?? 'labels';
  const range = `in [0, ${numClasses - 1}]${options.note ? ` (${options.note})` : ''}`;
  const isIndex = (value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < numClasses;
  if (typeof labels === 'number') {
    if (!isIndex(labels)) {
      throw new ValueError(formatExpected(fn, argument, `an integer class index ${range}`, describeValue(labels)));
    }
    return tf.tidy(() => oneHotOf(tf.fill([count], labels, 'int32') as tf.Tensor1D, numClasses));
  }
  if (Array.isArray(labels)) {
    if (labels.length !== count || !labels.every(isIndex)) {
      throw new ValueError(formatExpected(fn, argument, `int32 [${count}] class indices ${range}`, show(labels)));
    }
    return tf.tidy(() => oneHotOf(tf.tensor1d(labels as number[], 'int32'), numClasses));
  }
  // duck-typed, as every check in core: a tensor of another copy of tfjs-core is still a tensor
  if (typeof labels !== 'object' || labels === null || !('dtype' in labels) || !('shape' in labels)) {
    throw new ValueError(
      formatExpected(fn, argument, `int32 [${count}] class indices ${range}`, describeValue(labels)),
    );
  }
  const tensor = labels as tf.Tensor;
  assertShape(fn, argument, tensor, [count], 'one per example');
  assertDtype(fn, argument, tensor, 'int32');
  if (options.checkValues ?? true) assertValueRange(fn, argument, tensor, 0, numClasses - 1);
  return tf.tidy(() => oneHotOf(tensor as tf.Tensor1D, numClasses));
}

// helpers

function oneHotOf(indices: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, numClasses), 'float32') as tf.Tensor2D;
}

/** `[0,3]` for a short array, else `an array of n`. */
function show(values: readonly unknown[]): string {
  return values.length <= 16 ? `[${values.map((v) => describeValue(v)).join(',')}]` : describeValue(values);
}
