// PadV2 (constant padding, up to 4 axes) on the native addon: a fill and one memcpy a row.
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs, WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { asRank4, largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativePadV2Config: FastKernelConfig = {
  kernelName: 'PadV2',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const attrs = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
      const rank = x.shape.length;
      const outShape = x.shape.map((d, i) => d + attrs.paddings[i]![0] + attrs.paddings[i]![1]);
      if (x.dtype !== 'float32' || rank > 4 || rank === 0 || !largeEnough(outShape)) {
        return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput(outShape, 'float32');
      const pad = 4 - rank;
      nativeAddon().pad(
        heapView(backend, x),
        heapView(backend, out),
        ...asRank4(x.shape),
        ...[...Array(pad).fill(0), ...attrs.paddings.map(([before]) => before)],
        ...[...Array(pad).fill(0), ...attrs.paddings.map(([, after]) => after)],
        attrs.constantValue,
      );
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
