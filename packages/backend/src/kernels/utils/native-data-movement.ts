// Shared by the native element-wise and data-movement kernels. The call into the addon costs less than a wasm
// kernel's own dispatch: measured per call (tfjs engine included) an Add of 256 values took 3.9–4.4 µs native against
// 5.8–7.2 on wasm, a Tanh 2.7–6.2 against 6.9–12: no size is too small, only empty tensors stay on wasm.
import { sizeOf } from './kernel-utils';

/** Tensors of fewer elements stay on the wasm kernels (mutable for tests and benchmarks). */
export const nativeElementwiseRoute = { minElements: 1 };

/** True when a float32 tensor of this shape is worth the native call. */
export function largeEnough(shape: readonly number[]): boolean {
  return sizeOf(shape) >= nativeElementwiseRoute.minElements;
}

/** `shape` as 4 axes, 1s in front (shapes of rank ≤ 4). */
export function asRank4(shape: readonly number[]): number[] {
  return [...Array(4 - shape.length).fill(1), ...shape];
}
