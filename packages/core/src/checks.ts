import type { DataType, Tensor } from '@tensorflow/tfjs-core';
import { ConfigError, DTypeError, formatExpected, ShapeError, ValueError } from './errors';

/** `[8,16,16,32]`, the form shapes take in every message. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

function isTensorLike(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value && 'rank' in value;
}

/** Throws ShapeError unless `value` is a tensor (any rank). */
export function assertTensor(fn: string, argument: string, value: unknown): asserts value is Tensor {
  if (!isTensorLike(value)) {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ShapeError(formatExpected(fn, argument, 'a tf.Tensor', actual));
  }
}

/**
 * Throws ShapeError unless `tensor` has one of the given ranks.
 * @example assertRank('vae.encode', 'x', x, 4) // vae.encode: expected x rank 4, got rank 2 (shape [8,784]).
 */
export function assertRank(fn: string, argument: string, tensor: Tensor, rank: number | readonly number[]): void {
  assertTensor(fn, argument, tensor);
  const ranks = typeof rank === 'number' ? [rank] : rank;
  if (!ranks.includes(tensor.rank)) {
    const expectation = ranks.length === 1 ? `rank ${ranks[0]}` : `rank ${ranks.join(' or ')}`;
    throw new ShapeError(
      formatExpected(fn, argument, expectation, `rank ${tensor.rank} (shape ${formatShape(tensor.shape)})`),
    );
  }
}

/**
 * Throws ShapeError unless `tensor.shape` matches `expected`, where `null` matches any size.
 * `note` names where an expected size came from, e.g. `'config.dim'`.
 * @example assertShape('vq.quantize', 'z', z, [null, null, null, 64], 'last dim from config.dim')
 */
export function assertShape(
  fn: string,
  argument: string,
  tensor: Tensor,
  expected: readonly (number | null)[],
  note?: string,
): void {
  assertRank(fn, argument, tensor, expected.length);
  const mismatch = expected.findIndex((size, axis) => size !== null && tensor.shape[axis] !== size);
  if (mismatch >= 0) {
    const suffix = note ? ` (${note})` : '';
    throw new ShapeError(
      formatExpected(fn, argument, `shape ${formatShape(expected)}${suffix}`, `shape ${formatShape(tensor.shape)}`),
    );
  }
}

/** Throws ShapeError unless two tensors have the same shape. */
export function assertSameShape(fn: string, argumentA: string, a: Tensor, argumentB: string, b: Tensor): void {
  assertTensor(fn, argumentA, a);
  assertTensor(fn, argumentB, b);
  const same = a.rank === b.rank && a.shape.every((size, axis) => size === b.shape[axis]);
  if (!same) {
    throw new ShapeError(
      formatExpected(
        fn,
        argumentB,
        `the shape of ${argumentA} ${formatShape(a.shape)}`,
        `shape ${formatShape(b.shape)}`,
      ),
    );
  }
}

/** Throws DTypeError unless `tensor.dtype` is one of `dtype`. */
export function assertDtype(fn: string, argument: string, tensor: Tensor, dtype: DataType | readonly DataType[]): void {
  assertTensor(fn, argument, tensor);
  const allowed = typeof dtype === 'string' ? [dtype] : dtype;
  if (!allowed.includes(tensor.dtype)) {
    throw new DTypeError(formatExpected(fn, argument, `dtype ${allowed.join(' or ')}`, `dtype ${tensor.dtype}`));
  }
}

/**
 * Throws ValueError unless every value lies in [min, max] and none is NaN. Reads the tensor back (synchronous):
 * use at a public boundary, never inside a training step.
 */
export function assertValueRange(fn: string, argument: string, tensor: Tensor, min: number, max: number): void {
  assertTensor(fn, argument, tensor);
  const values = tensor.dataSync();
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      throw new ValueError(formatExpected(fn, argument, `values in [${min}, ${max}]`, `NaN at index ${i}`));
    }
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (values.length > 0 && (low < min || high > max)) {
    throw new ValueError(formatExpected(fn, argument, `values in [${min}, ${max}]`, `values in [${low}, ${high}]`));
  }
}

/** Throws ConfigError unless `value` is an integer ≥ `min` (default 1). */
export function assertPositiveInt(fn: string, argument: string, value: unknown, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const expectation = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    throw new ConfigError(formatExpected(fn, argument, expectation, describeValue(value)));
  }
}

/** Throws ConfigError unless `value` is a finite number in [min, max] (bounds inclusive). */
export function assertNumberInRange(
  fn: string,
  argument: string,
  value: unknown,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(formatExpected(fn, argument, `a number in [${min}, ${max}]`, describeValue(value)));
  }
}

/** Throws ConfigError unless `value` is one of `choices`. */
export function assertOneOf<T extends string>(
  fn: string,
  argument: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(formatExpected(fn, argument, `one of ${choices.join(' | ')}`, describeValue(value)));
  }
}

/** How a value appears in messages: `'abc'`, `-3`, `undefined`, `an array of 2`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isTensorLike(value)) return `a tensor of shape ${formatShape(value.shape)}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
