// Exp on the native addon (range reduction and a polynomial, within 1 float ulp of exp; stock wasm runs std::exp
// element by element: 7 ms for the 800 k logits of a PixelCNN prior's softmax).
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs, WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { largeEnough } from './utils/native-data-movement';

/** Replaces the stock kernel where there is one; small or non-float32 tensors still run it. */
export const nativeExpConfig: FastKernelConfig = {
  kernelName: 'Exp',
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
      nativeAddon().exp(heapView(backend, x), heapView(backend, out));
      return out;
    }) as unknown as tf.KernelFunc,
  }),
};
