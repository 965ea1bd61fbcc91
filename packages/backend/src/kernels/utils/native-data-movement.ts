// Shared by the native element-wise and data-movement kernels (Tanh, Slice, Transpose, Sum): below this many
// elements the wasm kernel is as fast as the call into the addon, and they run it.
import { sizeOf } from './kernel-utils';

/** Tensors of fewer elements stay on the wasm kernels (mutable for tests and benchmarks). */
export const nativeElementwiseRoute = { minElements: 4096 };

/** True when a float32 tensor of this shape is worth the native call. */
export function largeEnough(shape: readonly number[]): boolean {
  return sizeOf(shape) >= nativeElementwiseRoute.minElements;
}

/** `shape` as 4 axes, 1s in front (shapes of rank ≤ 4). */
export function asRank4(shape: readonly number[]): number[] {
  return [...Array(4 - shape.length).fill(1), ...shape];
}
