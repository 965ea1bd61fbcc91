// helpers shared by distributions and losses: per-example sums and the checks every op repeats.
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertSameShape, assertTensor, formatShape } from '../checks';
import { formatExpected, ShapeError } from '../errors';

/** Sums every axis but the first: [batch, ...] → [batch]. */
export function sumPerExample(x: tf.Tensor): tf.Tensor1D {
  if (x.rank === 1) return x as tf.Tensor1D;
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
  return tf.sum(x, axes) as tf.Tensor1D;
}

/** A float32 tensor with a batch axis first (rank ≥ 1). */
export function assertBatchedFloat(fn: string, argument: string, x: unknown): asserts x is tf.Tensor {
  assertTensor(fn, argument, x);
  if (x.rank < 1) {
    throw new ShapeError(formatExpected(fn, argument, 'rank ≥ 1 (batch axis first)', 'rank 0 (a scalar)'));
  }
  assertDtype(fn, argument, x, 'float32');
}

/** Two float32 batched tensors of the same shape. */
export function assertPair(fn: string, nameA: string, a: unknown, nameB: string, b: unknown): void {
  assertBatchedFloat(fn, nameA, a);
  assertTensor(fn, nameB, b);
  assertDtype(fn, nameB, b, 'float32');
  assertSameShape(fn, nameA, a as tf.Tensor, nameB, b);
}

/** A float32 tensor whose shape broadcasts to `shape` without growing it (trailing dims equal or 1). */
export function assertBroadcastsTo(fn: string, argument: string, x: unknown, shape: readonly number[]): void {
  assertTensor(fn, argument, x);
  assertDtype(fn, argument, x, 'float32');
  const offset = shape.length - x.rank;
  const ok = offset >= 0 && x.shape.every((size, axis) => size === 1 || size === shape[axis + offset]);
  if (!ok) {
    throw new ShapeError(
      formatExpected(fn, argument, `a shape that broadcasts to ${formatShape(shape)}`, `shape ${formatShape(x.shape)}`),
    );
  }
}

export const LOG_2PI = Math.log(2 * Math.PI);
