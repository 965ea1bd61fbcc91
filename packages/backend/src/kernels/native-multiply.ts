// Multiply of large float32 tensors on the native addon (utils/native-binary.ts says which); the stock kernel otherwise.
import type { FastKernelConfig } from './utils/kernel-overrides';
import { BINARY_OPS, makeNativeBinaryConfig } from './utils/native-binary';

/** Replaces the stock kernel where there is one. */
export const nativeMultiplyConfig: FastKernelConfig = {
  kernelName: 'Multiply',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeNativeBinaryConfig(BINARY_OPS.mul, original!),
};
