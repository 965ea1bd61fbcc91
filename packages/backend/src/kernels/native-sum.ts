// Sum over one run of axes on the native addon: the leading ones (bias gradients: [n, h, w, c] → [c]), the trailing
// ones, or the middle ones (a per-example bias's gradient: [n, h, w, c] over h and w → [n, c]), adding in the order
// the wasm kernel adds. Other axes, dtypes and empty tensors still run the wasm kernel.
import * as tf from '@tensorflow/tfjs-core';
import { sizeOf } from './utils/kernel-utils';
import { largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/**
 * [outer, reduced, inner] of a sum of `shape` over `axes` when the reduced axes (axes of size 1 aside) are one run;
 * null otherwise.
 * @example foldReduction([8, 7, 7, 64], [1, 2]) // [8, 49, 64]
 */
export function foldReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const reduced = axes.filter((axis) => shape[axis] !== 1);
  if (reduced.length === 0) return null;
  const first = Math.min(...reduced);
  const last = Math.max(...reduced);
  for (let axis = first; axis <= last; axis++) {
    if (shape[axis] !== 1 && !reduced.includes(axis)) return null;
  }
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

/** Replaces the stock kernel where there is one. */
export const nativeSumConfig = nativeKernelConfig('Sum', (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  if (x.dtype !== 'float32' || !largeEnough(x.shape)) return null;
  const axes = [...new Set(tf.util.parseAxisParam(attrs.axis, x.shape))];
  const folded = foldReduction(x.shape, axes);
  if (folded == null) return null;
  const outShape = attrs.keepDims
    ? x.shape.map((d, axis) => (axes.includes(axis) ? 1 : d))
    : x.shape.filter((_, axis) => !axes.includes(axis));
  return { outShapes: [outShape], run: (addon, view, [out]) => addon.sum(view(x), out!, ...folded) };
});
