// Slice on the native addon: rows copied with memcpy (a PixelCNN step slices its stacks 48 times).
import * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs, WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { asRank4, largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativeSliceConfig: FastKernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
      const params = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
      const begin = params[0]!;
      const size = params[1]!;
      if (x.dtype !== 'float32' || x.shape.length > 4 || x.shape.length === 0 || !largeEnough(size)) {
        return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput([...size], 'float32');
      const pad = 4 - x.shape.length;
      nativeAddon().slice(
        heapView(backend, x),
        heapView(backend, out),
        ...asRank4(x.shape),
        ...[...Array(pad).fill(0), ...begin],
        ...asRank4(size),
      );
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
