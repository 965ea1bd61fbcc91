// Add, Sub and Multiply on the native addon for large float32 tensors: same shapes, or one operand broadcast over
// the other's leading axes (a bias over [n, h, w, c], a per-channel scale), the only broadcasts a training step of our
// models makes on large tensors. One float32 operation an element, as the wasm kernels: the same values.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, sizeOf, type WasmBackendLike } from './kernel-utils';
import { heapView, nativeAddon } from './native-addon';
import { largeEnough } from './native-data-movement';

/** The addon's operation codes. */
export const BINARY_OPS = { add: 0, sub: 1, mul: 2 } as const;

/** True when `shape` repeats over `outShape`: the same size, or its axes (leading 1s aside) are outShape's last. */
function repeatsOver(shape: readonly number[], outShape: readonly number[]): boolean {
  if (sizeOf(shape) === sizeOf(outShape)) return true;
  const trimmed = shape.slice(shape.findIndex((d) => d !== 1) === -1 ? shape.length : shape.findIndex((d) => d !== 1));
  const tail = outShape.slice(outShape.length - trimmed.length);
  return trimmed.length <= outShape.length && trimmed.every((d, i) => d === tail[i]);
}

/** Builds Add, Sub or Multiply over the addon; the stock kernel for anything else. */
export function makeNativeBinaryConfig(op: number, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { a, b } = args.inputs as Record<string, tf.TensorInfo>;
    const runOriginal = () => original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return runOriginal();
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (!largeEnough(outShape) || !repeatsOver(a.shape, outShape) || !repeatsOver(b.shape, outShape)) {
      return runOriginal();
    }
    if (sizeOf(a.shape) !== sizeOf(outShape) && sizeOf(b.shape) !== sizeOf(outShape)) return runOriginal();
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput(outShape, 'float32');
    nativeAddon().binary(op, heapView(backend, a), heapView(backend, b), heapView(backend, out));
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
