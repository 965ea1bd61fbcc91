// Every fast kernel: the wasm and cpu lists (register-fast-kernels.ts, which browsers use) and the native kernels'
// list, built on them (Node). enableFastTraining registers them from here, and restoreKernels puts the stock registry
// back exactly. Nothing is registered on import.
import { identityConfig } from './identity';
import { nativeAddConfig } from './native-add';
import { nativeBatchMatMulConfig } from './native-batch-mat-mul';
import { nativeBernoulliConfig, nativeBernoulliGradConfig } from './native-bernoulli';
import { nativeConcatConfig } from './native-concat';
import { nativeConv2DConfig } from './native-conv2d';
import { nativeConv2DBackpropFilterConfig } from './native-conv2d-backprop-filter';
import { nativeConv2DBackpropInputConfig } from './native-conv2d-backprop-input';
import { nativeExpConfig } from './native-exp';
import { nativeFusedConv2DConfig } from './native-fused-conv2d';
import { nativeFusedMatMulConfig } from './native-fused-mat-mul';
import { nativeGatedActivationConfig, nativeGatedActivationGradConfig } from './native-gated-activation';
import { nativeGatherV2Config } from './native-gather-v2';
import {
  nativeGaussianKlConfig,
  nativeGaussianKlGradConfig,
  nativeGaussianSampleConfig,
  nativeGaussianSampleGradConfig,
} from './native-gaussian';
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
import {
  cpuKernelConfigs,
  kernelConfigs,
  overriddenKernels,
  registerFastKernels,
  restoreKernels,
} from './register-fast-kernels';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import type { FastKernelConfig } from './utils/kernel-overrides';

export { cpuKernelConfigs, kernelConfigs, overriddenKernels, registerFastKernels, restoreKernels };

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
  nativeGatedActivationConfig,
  nativeGatedActivationGradConfig,
  nativeBernoulliConfig,
  nativeBernoulliGradConfig,
  nativeGaussianSampleConfig,
  nativeGaussianSampleGradConfig,
  nativeGaussianKlConfig,
  nativeGaussianKlGradConfig,
];
