// The fast kernels of wasm and cpu in one list each, as tfjs-backend-wasm's register_all_kernels.ts: enableFastTraining
// (Node) and the browser setupBackend register them from here, and restoreKernels puts the stock registry back
// exactly. The native kernels (register-all-kernels.ts) build on these. Nothing is registered on import.
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul';
import { conv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { cpuConv2DBackpropFilterConfig } from './cpu-conv2d-backprop-filter';
import { fusedConv2DConfig } from './fused-conv2d';
import { fusedMatMulConfig } from './fused-mat-mul';
import { identityConfig } from './identity';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { type FastKernelConfig, overriddenKernels, overrideKernel, restoreKernels } from './utils/kernel-overrides';

export { overriddenKernels, restoreKernels };

/** The fast kernels, in the order they are registered (BatchMatMul first: the others build on the stock one). */
export const kernelConfigs: readonly FastKernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  identityConfig,
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** The kernels of tfjs-backend-cpu replaced with `fast` on cpu: the filter gradient as one forward convolution. */
export const cpuKernelConfigs: readonly FastKernelConfig[] = [cpuConv2DBackpropFilterConfig];

/**
 * Registers the kernels of `configs` (default: all of `kernelConfigs`), first undoing any earlier registration; on an
 * error none stays registered. Returns what is replaced, as 'Name/backend' ('(added)' where stock tfjs has none).
 * `restoreKernels` undoes it.
 */
export function registerFastKernels(configs: readonly FastKernelConfig[] = kernelConfigs): string[] {
  restoreKernels();
  const stockKernels = new Map<string, Map<string, tf.KernelConfig>>();
  for (const { backendName } of configs) {
    if (!stockKernels.has(backendName)) {
      stockKernels.set(backendName, new Map(tf.getKernelsForBackend(backendName).map((k) => [k.kernelName, k])));
    }
  }
  try {
    for (const config of configs) {
      const { kernelName, backendName, when } = config;
      const exists = tf.getKernel(kernelName, backendName) != null;
      if ((when === 'replace' && !exists) || (when === 'add' && exists)) continue;
      const stock = (name: string): tf.KernelConfig => {
        const found = stockKernels.get(backendName)?.get(name);
        if (found == null)
          throw new Error(`enableFastTraining: kernel '${name}' is not registered for '${backendName}'.`);
        return found;
      };
      overrideKernel(kernelName, backendName, (original) => config.create({ original, stock }));
    }
  } catch (error) {
    restoreKernels();
    throw error;
  }
  return overriddenKernels();
}
