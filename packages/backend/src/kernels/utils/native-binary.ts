// Add, Sub and Multiply on the native addon for float32 tensors, with every broadcast a training step makes on large
// tensors: the shapes are folded into three runs of axes (outer, middle, inner), each operand spanning a run or
// repeating over it: same shapes, a scalar (sigmoid's 1 − y), a bias over [n, h, w, c], a per-example term
// [n, 1, 1, c] over [n, h, w, c] (a class-conditional bias). One float32 operation an element, as the wasm kernels:
// the same values.
import * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './kernel-overrides';
import { largeEnough } from './native-data-movement';
import { nativeKernelConfig } from './native-kernel';

/** The addon's operation codes. */
export const BINARY_OPS = { add: 0, sub: 1, mul: 2 } as const;

/** A broadcast folded into [outer, middle, inner]; each operand's runs as bits (4 outer, 2 middle, 1 inner). */
export interface FoldedBroadcast {
  dims: [number, number, number];
  aAxes: number;
  bAxes: number;
}

/**
 * Folds `outShape` = broadcast(aShape, bShape) into at most three runs of axes over which each operand either spans
 * or repeats; null when it takes more runs (say [n, 1, w, 1] over [n, h, w, c]).
 * @example foldBroadcast([8, 7, 7, 64], [8, 7, 7, 64], [8, 1, 1, 64]) // { dims: [8, 49, 64], aAxes: 7, bAxes: 5 }
 */
export function foldBroadcast(
  outShape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
): FoldedBroadcast | null {
  const rank = outShape.length;
  const padded = (shape: readonly number[]) => [...Array<number>(rank - shape.length).fill(1), ...shape];
  const a = padded(aShape);
  const b = padded(bShape);
  const runs: { size: number; a: boolean; b: boolean }[] = [];
  outShape.forEach((size, axis) => {
    if (size === 1) return;
    const spansA = a[axis] === size;
    const spansB = b[axis] === size;
    const last = runs[runs.length - 1];
    if (last && last.a === spansA && last.b === spansB) last.size *= size;
    else runs.push({ size, a: spansA, b: spansB });
  });
  if (runs.length > 3) return null;
  while (runs.length < 3) runs.unshift({ size: 1, a: true, b: true });
  const bits = (key: 'a' | 'b') => runs.reduce((acc, run, i) => acc | (run[key] ? 1 << (2 - i) : 0), 0);
  return { dims: runs.map((run) => run.size) as [number, number, number], aAxes: bits('a'), bAxes: bits('b') };
}

/** Add, Sub or Multiply over the addon; the stock kernel for other dtypes and broadcasts. */
export function nativeBinaryConfig(kernelName: 'Add' | 'Sub' | 'Multiply', op: number): FastKernelConfig {
  return nativeKernelConfig(kernelName, (args) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo>;
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (!largeEnough(outShape)) return null;
    const folded = foldBroadcast(outShape, a.shape, b.shape);
    if (folded == null) return null;
    return {
      outShapes: [outShape],
      run: (addon, view, [out]) => addon.binary(op, view(a), view(b), out!, ...folded.dims, folded.aAxes, folded.bAxes),
    };
  });
}
