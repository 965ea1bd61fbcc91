// _FusedMatMul (every tf.layers dense layer: matMul + bias + activation) on the native addon in one call
// (utils/native-mat-mul.ts says how); the fast wasm kernel where it does not apply.
import { makeFastMatMulConfig } from './utils/fast-mat-mul';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeMatMulConfig } from './utils/native-mat-mul';

/** Replaces the stock kernel where there is one. */
export const nativeFusedMatMulConfig: FastKernelConfig = {
  kernelName: '_FusedMatMul',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeNativeMatMulConfig(makeFastMatMulConfig(original!)),
};
