// FusedConv2D (conv + bias + activation) for tfjs-backend-wasm with pad 'same' passed as explicit padding
// (utils/same-padding.ts says why).
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeExplicitSameConvConfig } from './utils/same-padding';

/** Replaces the stock kernel where there is one. */
export const fusedConv2DConfig: FastKernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeExplicitSameConvConfig(original!),
};
