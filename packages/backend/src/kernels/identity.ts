// Zero-copy Identity for tfjs-backend-wasm. The engine clones (Identity) every tensor it saves for the backward
// pass, and the stock wasm Identity copies the whole buffer each time (about 60 copies per step of an MLP VAE, 5%
// of the step). The wasm backend reference-counts its buffers (its Reshape shares them the same way), and no wasm
// kernel writes into its inputs, so the clone can share the buffer, as the cpu and webgl backends' Identity do.
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs } from './utils/kernel-utils';

/** A backend with reference-counted buffers (BackendWasm, MathBackendCPU). */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Builds the replacement config for Identity: same buffer, one more reference; strings use the stock kernel. */
export function makeSharedIdentityConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const x = args.inputs.x as tf.TensorInfo;
    const backend = args.backend as unknown as Partial<RefCountingBackend>;
    if (x.dtype === 'string' || typeof backend.incRef !== 'function') {
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** Replaces the stock kernel where there is one. */
export const identityConfig: FastKernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeSharedIdentityConfig(original!),
};
