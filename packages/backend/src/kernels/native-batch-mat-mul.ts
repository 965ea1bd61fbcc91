// BatchMatMul on the native addon (utils/native-mat-mul.ts says how); the fast wasm kernel where it does not apply.
import { makeFastMatMulConfig } from './utils/fast-mat-mul';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeMatMulConfig } from './utils/native-mat-mul';

/** Replaces the stock kernel; the wasm kernels that build on BatchMatMul keep the stock one. */
export const nativeBatchMatMulConfig: FastKernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  when: 'always',
  create: ({ stock }) => makeNativeMatMulConfig(makeFastMatMulConfig(stock('BatchMatMul'))),
};
