// Tanh on the native addon (a vectorised rational approximation within a few float ulps of std::tanh; stock wasm
// computes std::tanh element by element: 15 ns an element, 6 ms for a PixelCNN gate's 400 k values).
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs, WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeTanhConfig: FastKernelConfig = {
  kernelName: 'Tanh',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype !== 'float32' || !largeEnough(x.shape)) {
        return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      }
      const backend = args.backend as WasmBackendLike;
      const out = backend.makeOutput([...x.shape], 'float32');
      nativeAddon().tanh(heapView(backend, x), heapView(backend, out));
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
