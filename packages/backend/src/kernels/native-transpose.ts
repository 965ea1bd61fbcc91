// Transpose on the native addon, for up to 4 axes (a PixelCNN step transposes 78 times: its own filter gradients).
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs, WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { asRank4, largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativeTransposeConfig: FastKernelConfig = {
  kernelName: 'Transpose',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const perm = (args.attrs as unknown as { perm: number[] }).perm;
      const rank = x.shape.length;
      if (x.dtype !== 'float32' || rank > 4 || rank === 0 || !largeEnough(x.shape)) {
        return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(
        perm.map((axis) => x.shape[axis]!),
        'float32',
      );
      const pad = 4 - rank;
      const perm4 = [...Array.from({ length: pad }, (_, i) => i), ...perm.map((axis) => axis + pad)];
      nativeAddon().transpose(heapView(backend, x), heapView(backend, out), ...asRank4(x.shape), ...perm4);
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
