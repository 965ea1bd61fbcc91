// The VAE's Gaussian posterior terms as one native pass each way (the kernels @vaejs/core's FUSED_KERNELS names),
// added to the wasm backend with the native kernels: the reparameterised sample z = μ + exp(½·log σ²)·ε and the KL
// divergence to N(0, I) per example, with their gradients. Unfused they take 4 and 7 kernel calls forward and about
// 13 back on tensors of a few thousand values, where the tfjs engine's cost per call (~10 µs) is most of the time.
// The same values to the bit: the Exp kernel's function, the operations in the unfused order, each example's terms
// added in order from 0.
import type * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS } from '@vaejs/core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { inputError, type KernelArgs, sizeOf, type WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';

type Kind = 'sample' | 'sampleGrad' | 'kl' | 'klGrad';

const NAMES: Record<Kind, string> = {
  sample: FUSED_KERNELS.gaussianSample,
  sampleGrad: FUSED_KERNELS.gaussianSampleGrad,
  kl: FUSED_KERNELS.gaussianKl,
  klGrad: FUSED_KERNELS.gaussianKlGrad,
};

/** The inputs of each kernel, the first giving the shape the others must have (dy of the KL's gradient aside). */
const INPUTS: Record<Kind, string[]> = {
  sample: ['mean', 'logVar', 'epsilon'],
  sampleGrad: ['dy', 'logVar', 'epsilon'],
  kl: ['mean', 'logVar'],
  klGrad: ['mean', 'logVar'],
};

function gaussianKernel(kind: Kind): tf.KernelConfig {
  const kernelName = NAMES[kind];
  const kernelFunc = ({ inputs, backend }: KernelArgs) => {
    const wasm = backend as WasmBackendLike;
    const [first, ...rest] = INPUTS[kind].map((name) => [name, inputs[name] as tf.TensorInfo | undefined] as const);
    const [firstName, shaped] = first!;
    if (shaped?.dtype !== 'float32' || shaped.shape.length < 1) {
      throw inputError(kernelName, `${firstName} float32 of rank ≥ 1 (examples first)`, shaped);
    }
    for (const [name, t] of rest) {
      if (t?.dtype !== 'float32' || t.shape.join() !== shaped.shape.join()) {
        throw inputError(kernelName, `${name} float32 [${shaped.shape}]`, t);
      }
    }
    const rows = shaped.shape[0] ?? 0;
    const dy = inputs.dy as tf.TensorInfo | undefined;
    if (kind === 'klGrad' && (dy?.dtype !== 'float32' || dy.shape.join() !== String(rows))) {
      throw inputError(kernelName, `dy float32 [${rows}]`, dy);
    }
    const addon = nativeAddon(); // before the outputs: throws with nothing allocated when no addon is set
    const size = sizeOf(shaped.shape);
    const view = (t: tf.TensorInfo) => heapView(wasm, t);
    if (kind === 'kl') {
      const out = wasm.makeOutput([rows], 'float32');
      if (size === 0)
        heapView(wasm, out).fill(0); // no terms: each example's sum is 0
      else addon.gaussianKl(view(shaped), view(inputs.logVar as tf.TensorInfo), view(out), rows, size / rows);
      return out;
    }
    if (kind === 'sample') {
      const out = wasm.makeOutput([...shaped.shape], 'float32');
      if (size > 0) {
        addon.gaussianSample(
          view(shaped),
          view(inputs.logVar as tf.TensorInfo),
          view(inputs.epsilon as tf.TensorInfo),
          view(out),
        );
      }
      return out;
    }
    // the gradients: [dMean, dLogVar], each the shape of the inputs
    const outs = [wasm.makeOutput([...shaped.shape], 'float32'), wasm.makeOutput([...shaped.shape], 'float32')];
    if (size === 0) return outs;
    const [dMean, dLogVar] = outs.map(view) as [Float32Array, Float32Array];
    const logVar = view(inputs.logVar as tf.TensorInfo);
    if (kind === 'sampleGrad')
      addon.gaussianSampleGrad(view(shaped), logVar, view(inputs.epsilon as tf.TensorInfo), dMean, dLogVar);
    else addon.gaussianKlGrad(view(dy!), view(shaped), logVar, dMean, dLogVar, rows, size / rows);
    return outs;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

function added(kind: Kind): FastKernelConfig {
  return { kernelName: NAMES[kind], backendName: 'wasm', when: 'add', create: () => gaussianKernel(kind) };
}

/** z = μ + exp(½·log σ²)·ε: added to wasm (no stock tfjs backend has it). */
export const nativeGaussianSampleConfig = added('sample');
/** Its gradient, [dμ, d log σ²] for dz: added to wasm. */
export const nativeGaussianSampleGradConfig = added('sampleGrad');
/** KL(N(μ, σ²) ‖ N(0, I)) per example: added to wasm. */
export const nativeGaussianKlConfig = added('kl');
/** Its gradient, [dμ, d log σ²] for dy [n]: added to wasm. */
export const nativeGaussianKlGradConfig = added('klGrad');
