// BatchMatMul for tfjs-backend-wasm through XNNPACK whatever the transposes (utils/fast-mat-mul.ts says how).
import { makeFastMatMulConfig } from './utils/fast-mat-mul';
import type { FastKernelConfig } from './utils/kernel-overrides';

/** Replaces the stock kernel, which every fast matMul and convolution gradient builds on: required. */
export const batchMatMulConfig: FastKernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  when: 'always',
  create: ({ stock }) => makeFastMatMulConfig(stock('BatchMatMul')),
};
