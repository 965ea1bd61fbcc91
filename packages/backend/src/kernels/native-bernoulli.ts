// The Bernoulli log-likelihood of targets x under logits l, Σ x·l − softplus(l) per example, and its gradient w.r.t.
// the logits, as one native pass each (the kernels @vaejs/core's FUSED_KERNELS names), added to the wasm backend with
// the native kernels. Unfused, the forward pass is a relu, an abs, a negation, an exp, a log1p, a product, a
// difference, a sum, a negation and a per-example sum (ten passes over the image tensor, about 0.3 ms for a batch of
// 128 MNIST images); the gradient a sigmoid, a difference and a product. The same values to the bit: the same exp,
// log1p and sigmoid functions, the same operations in the same order, each example's terms added in order from 0.
import type * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from '@vaejs/core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { inputError, type KernelArgs, sizeOf, type WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';

function bernoulliKernel(kernelName: string, gradient: boolean): tf.KernelConfig {
  const kernelFunc = ({ inputs, backend }: KernelArgs) => {
    const wasm = backend as WasmBackendLike;
    const x = inputs.x as tf.TensorInfo;
    const logits = inputs.logits as tf.TensorInfo;
    const dy = inputs.dy as tf.TensorInfo | undefined;
    if (x?.dtype !== 'float32' || x.shape.length < 1) {
      throw inputError(kernelName, 'x float32 of rank ≥ 1 (examples first)', x);
    }
    if (logits?.dtype !== 'float32' || logits.shape.join() !== x.shape.join()) {
      throw inputError(kernelName, `logits float32 [${x.shape}]`, logits);
    }
    const rows = x.shape[0] ?? 0;
    if (gradient && (dy?.dtype !== 'float32' || dy.shape.join() !== String(rows))) {
      throw inputError(kernelName, `dy float32 [${rows}]`, dy);
    }
    const addon = nativeAddon(); // before the output: throws with nothing allocated when no addon is set
    const out = wasm.makeOutput(gradient ? [...x.shape] : [rows], 'float32');
    const size = sizeOf(x.shape);
    if (size === 0) {
      // no terms: each example's sum is 0 (tfjs' Sum of an empty axis); an empty gradient has nothing to write
      if (!gradient) heapView(wasm, out).fill(0);
      return out;
    }
    // views after the output is allocated (an allocation can grow the heap and detach older views)
    const [xs, ls, outs] = [heapView(wasm, x), heapView(wasm, logits), heapView(wasm, out)];
    if (gradient) addon.bernoulliGrad(xs, ls, heapView(wasm, dy!), outs, rows, size / rows);
    else addon.bernoulli(xs, ls, outs, rows, size / rows);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** The per-example Bernoulli log-likelihood: added to wasm (no stock tfjs backend has it). */
export const nativeBernoulliConfig: FastKernelConfig = {
  kernelName: FUSED_KERNELS.bernoulliLogLikelihood,
  backendName: 'wasm',
  when: 'add',
  create: () => bernoulliKernel(FUSED_KERNELS.bernoulliLogLikelihood, false),
};

/** Its gradient w.r.t. the logits: added to wasm. */
export const nativeBernoulliGradConfig: FastKernelConfig = {
  kernelName: FUSED_KERNELS.bernoulliLogLikelihoodGrad,
  backendName: 'wasm',
  when: 'add',
  create: () => bernoulliKernel(FUSED_KERNELS.bernoulliLogLikelihoodGrad, true),
};
