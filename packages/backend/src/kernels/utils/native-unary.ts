// Element-wise float32 functions (Exp, Tanh, Sigmoid, Log1p) on the native addon: float32 tensors go native, the
// rest to the stock kernel.
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './kernel-overrides';
import type { NativeAddon } from './native-addon';
import { largeEnough } from './native-data-movement';
import { nativeKernelConfig } from './native-kernel';

/** A unary kernel that runs `apply(addon, x, out)` on the heap views; the stock kernel for anything else. */
export function nativeUnaryConfig(
  kernelName: string,
  apply: (addon: NativeAddon, x: Float32Array, out: Float32Array) => void,
): FastKernelConfig {
  return nativeKernelConfig(kernelName, (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32' || !largeEnough(x.shape)) return null;
    return {
      outShapes: [[...x.shape]],
      run: (addon, view, [out]) => apply(addon, view(x), out!),
    };
  });
}
