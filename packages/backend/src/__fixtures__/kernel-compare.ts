// Shared by the fast-kernel tests: run the same computation on stock and on fast kernels and compare.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { nativeKernelConfigs, registerFastKernels, restoreKernels } from '../kernels/register-all-kernels';
import { type NativeAddon, setNativeAddon } from '../kernels/utils/native-addon';

/** max|actual − expected| / max|expected| (norm-wise relative error; 0 when both are 0). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] as number) - (expected[i] as number)));
    maxRef = Math.max(maxRef, Math.abs(expected[i] as number));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** Runs `compute` with the stock wasm kernels, then with the fast ones; returns both results (as arrays). */
export function stockAndFast<T>(compute: () => T): { stock: T; fast: T } {
  restoreKernels();
  const stock = compute();
  registerFastKernels();
  try {
    return { stock, fast: compute() };
  } finally {
    restoreKernels();
  }
}

/** Reads tensors returned by `fn` into plain arrays and disposes them. */
export function readAll(fn: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return values;
}

/** Asserts every array of `fast` is within `tolerance` (relative, norm-wise) of the same array of `stock`. */
export function expectSame(result: { stock: Float32Array[]; fast: Float32Array[] }, tolerance = 1e-5): void {
  expect(result.fast.length).toBe(result.stock.length);
  result.stock.forEach((expected, i) => {
    const error = relativeError(result.fast[i]!, expected);
    expect(error, `output ${i}: relative error ${error}`).toBeLessThanOrEqual(tolerance);
  });
}

/** A deterministic pseudo-random generator for shapes and values (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Live data buffers of the active backend (catches temporaries a kernel forgot to free). */
export function liveBuffers(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

/** Runs `compute` with the stock wasm kernels, then with the native ones on `addon`; returns both results. */
export function stockAndNative<T>(addon: NativeAddon, compute: () => T): { stock: T; fast: T } {
  restoreKernels();
  const stock = compute();
  setNativeAddon(addon);
  registerFastKernels(nativeKernelConfigs);
  try {
    return { stock, fast: compute() };
  } finally {
    restoreKernels();
    setNativeAddon(null);
  }
}
