// Sum over leading axes (bias gradients: [n, h, w, c] → [c]) or trailing axes on the native addon, adding in the
// order the wasm kernel adds. Other axes, dtypes and small tensors still run the wasm kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { type KernelArgs, sizeOf, type WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one. */
export const nativeSumConfig: FastKernelConfig = {
  kernelName: 'Sum',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const rank = x.shape.length;
      const axes = [...new Set(tf.util.parseAxisParam(attrs.axis, x.shape))].sort((a, b) => a - b);
      const leading = axes.every((axis, i) => axis === i);
      const trailing = axes.every((axis, i) => axis === rank - axes.length + i);
      if (x.dtype !== 'float32' || axes.length === 0 || !(leading || trailing) || !largeEnough(x.shape)) {
        return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const reduced = sizeOf(axes.map((axis) => x.shape[axis]!));
      const kept = sizeOf(x.shape) / reduced;
      const outShape = attrs.keepDims
        ? x.shape.map((d, axis) => (axes.includes(axis) ? 1 : d))
        : x.shape.filter((_, axis) => !axes.includes(axis));
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(outShape, 'float32');
      const [outer, inner] = leading ? [reduced, kept] : [kept, reduced];
      nativeAddon().sum(heapView(backend, x), heapView(backend, out), outer, inner, leading);
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
