// FusedConv2D (conv + bias + activation) on the native addon, bias and activation as oneDNN post-ops
// (utils/native-conv.ts says how); the fast wasm kernel where it does not apply.
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeConv2DConfig } from './utils/native-conv';
import { makeExplicitSameConvConfig } from './utils/same-padding';

/** Replaces the stock kernel where there is one. */
export const nativeFusedConv2DConfig: FastKernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeNativeConv2DConfig(makeExplicitSameConvConfig(original!)),
};
