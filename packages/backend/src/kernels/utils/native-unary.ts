// Element-wise float32 functions (Exp, Tanh) on the native addon: large float32 tensors go native, the rest to the
// stock kernel.
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackendLike } from './kernel-utils';
import { heapView, type NativeAddon, nativeAddon } from './native-addon';
import { largeEnough } from './native-data-movement';

/** Builds a unary kernel that runs `apply(addon, x, out)` on the heap views; the stock kernel for anything else. */
export function makeNativeUnaryConfig(
  original: tf.KernelConfig,
  apply: (addon: NativeAddon, x: Float32Array, out: Float32Array) => void,
): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32' || !largeEnough(x.shape)) {
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([...x.shape], 'float32');
    apply(nativeAddon(), heapView(backend, x), heapView(backend, out));
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
