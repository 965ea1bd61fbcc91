// _FusedMatMul (matMul + bias + activation, every tf.layers dense layer) for tfjs-backend-wasm through XNNPACK
// whatever the transposes, as BatchMatMul (utils/fast-mat-mul.ts says how).
import { makeFastMatMulConfig } from './utils/fast-mat-mul';
import type { FastKernelConfig } from './utils/kernel-overrides';

/** Replaces the stock kernel where there is one. */
export const fusedMatMulConfig: FastKernelConfig = {
  kernelName: '_FusedMatMul',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeFastMatMulConfig(original!),
};
