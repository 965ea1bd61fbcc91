// The one call most apps need.

// The steps it takes, for apps that want them one by one. Nothing here registers anything on import.
export {
  type DisableFastTrainingResult,
  disableFastTraining,
  enableFastTraining,
  type FastTrainingOptions,
  type FastTrainingReport,
  fastTrainingReport,
} from './enable-fast-training';
export type { NativeAddon, NativeInfo } from './kernels/utils/native-addon';
export { loadNativeAddon, NATIVE_PACKAGE, type NativeLoader, type NativeLoadResult } from './load-native';
export { type GradientSource, gradientsRegistered, registerGradients } from './register-gradients';
export {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  type BackendName,
  type BackendSelection,
  isPackageNotFound,
  type SelectBackendOptions,
  type SkippedBackend,
  selectBackend,
} from './select-backend';
export { type BackendSetup, type SetupBackendOptions, setupBackend } from './setup-backend';
