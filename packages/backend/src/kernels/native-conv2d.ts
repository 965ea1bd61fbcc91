// Conv2D on the native addon (utils/native-conv.ts says how); the fast wasm kernel where it does not apply.
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeConv2DConfig } from './utils/native-conv';
import { makeExplicitSameConvConfig } from './utils/same-padding';

/** Replaces the stock kernel where there is one. */
export const nativeConv2DConfig: FastKernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeNativeConv2DConfig(makeExplicitSameConvConfig(original!)),
};
