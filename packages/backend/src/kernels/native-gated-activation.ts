// The gated PixelCNN's gate, tanh(a) ⊙ sigmoid(b), and its gradient as one native pass each (the kernels
// @vaejs/core's FUSED_KERNELS names), added to the wasm backend with the native kernels. Unfused, the forward pass is
// a split, a tanh, a sigmoid and a product, the gradient four products and differences, a concat and a transpose:
// ten passes over [n, h, w, 2C] where these make two, and the same values to the bit (the same tanh and sigmoid
// loops, the same products in the same order).
import type * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from '@vaejs/core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { inputError, type KernelArgs, sizeOf, type WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';

function gateKernel(kernelName: string, gradient: boolean): tf.KernelConfig {
  const kernelFunc = ({ inputs, backend }: KernelArgs) => {
    const wasm = backend as WasmBackendLike;
    const x = inputs.x as tf.TensorInfo;
    const bias = inputs.bias as tf.TensorInfo | undefined;
    const dy = inputs.dy as tf.TensorInfo | undefined;
    const last = x.shape[x.shape.length - 1] ?? 0;
    const examples = x.shape[0] ?? 0;
    const channels = last / 2;
    const outShape = gradient ? [...x.shape] : [...x.shape.slice(0, -1), channels];
    if (x.dtype !== 'float32' || x.shape.length < 2 || last % 2 !== 0 || last === 0) {
      throw inputError(kernelName, 'x float32 of rank ≥ 2 with an even, non-zero last axis', x);
    }
    if (
      bias &&
      (bias.dtype !== 'float32' || bias.shape.length !== 2 || bias.shape[0] !== examples || bias.shape[1] !== last)
    ) {
      throw inputError(kernelName, `bias float32 [${examples}, ${last}]`, bias);
    }
    const dyShape = [...x.shape.slice(0, -1), channels];
    if (gradient && (dy?.dtype !== 'float32' || dy.shape.join() !== dyShape.join())) {
      throw inputError(kernelName, `dy float32 [${dyShape}]`, dy);
    }
    const addon = nativeAddon(); // before the output: throws with nothing allocated when no addon is set
    const out = wasm.makeOutput(outShape, 'float32');
    const rows = sizeOf(x.shape) / last;
    if (rows === 0) return out;
    // views after the output is allocated (an allocation can grow the heap and detach older views)
    const args = [
      heapView(wasm, x),
      bias ? heapView(wasm, bias) : null,
      heapView(wasm, out),
      rows,
      channels,
      bias ? rows / examples : 1,
    ] as const;
    if (gradient) addon.gateGrad(...args, heapView(wasm, dy!));
    else addon.gate(...args);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** The gate forward: added to wasm (no stock tfjs backend has it). */
export const nativeGatedActivationConfig: FastKernelConfig = {
  kernelName: FUSED_KERNELS.gatedActivation,
  backendName: 'wasm',
  when: 'add',
  create: () => gateKernel(FUSED_KERNELS.gatedActivation, false),
};

/** The gate's gradient w.r.t. its pre-activation: added to wasm. */
export const nativeGatedActivationGradConfig: FastKernelConfig = {
  kernelName: FUSED_KERNELS.gatedActivationGrad,
  backendName: 'wasm',
  when: 'add',
  create: () => gateKernel(FUSED_KERNELS.gatedActivationGrad, true),
};
