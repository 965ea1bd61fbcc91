// Every fast kernel in one list, as tfjs-backend-wasm's register_all_kernels.ts: enableFastTraining registers them
// from here, and restoreKernels puts the stock registry back exactly. Nothing is registered on import.
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul';
import { conv2DConfig } from './conv2d';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import { cpuConv2DBackpropFilterConfig } from './cpu-conv2d-backprop-filter';
import { fusedConv2DConfig } from './fused-conv2d';
import { fusedMatMulConfig } from './fused-mat-mul';
import { identityConfig } from './identity';
import { nativeAddConfig } from './native-add';
import { nativeBatchMatMulConfig } from './native-batch-mat-mul';
import { nativeConcatConfig } from './native-concat';
import { nativeConv2DConfig } from './native-conv2d';
import { nativeConv2DBackpropFilterConfig } from './native-conv2d-backprop-filter';
import { nativeConv2DBackpropInputConfig } from './native-conv2d-backprop-input';
import { nativeExpConfig } from './native-exp';
import { nativeFusedConv2DConfig } from './native-fused-conv2d';
import { nativeFusedMatMulConfig } from './native-fused-mat-mul';
import { nativeGatherV2Config } from './native-gather-v2';
import { nativeLog1pConfig } from './native-log1p';
import { nativeMultiplyConfig } from './native-multiply';
import { nativePadV2Config } from './native-pad-v2';
import { nativeSigmoidConfig } from './native-sigmoid';
import { nativeSliceConfig } from './native-slice';
import { nativeSplitVConfig } from './native-split-v';
import { nativeSubConfig } from './native-sub';
import { nativeSumConfig } from './native-sum';
import { nativeTanhConfig } from './native-tanh';
import { nativeTransposeConfig } from './native-transpose';
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
 * The native kernels (@vaejs/backend-native's addon, set with setNativeAddon first) with the fast wasm kernels they
 * do not replace. Each native kernel falls back to its fast wasm counterpart for what the addon does not cover.
 */
export const nativeKernelConfigs: readonly FastKernelConfig[] = [
  nativeBatchMatMulConfig,
  nativeFusedMatMulConfig,
  identityConfig,
  nativeConv2DConfig,
  nativeFusedConv2DConfig,
  nativeConv2DBackpropFilterConfig,
  nativeConv2DBackpropInputConfig,
  unsortedSegmentSumConfig,
  nativeTanhConfig,
  nativeSliceConfig,
  nativeTransposeConfig,
  nativeSumConfig,
  nativeExpConfig,
  nativeSigmoidConfig,
  nativeLog1pConfig,
  nativeGatherV2Config,
  nativePadV2Config,
  nativeSplitVConfig,
  nativeConcatConfig,
  nativeAddConfig,
  nativeSubConfig,
  nativeMultiplyConfig,
];

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
