// Conv2D for tfjs-backend-wasm with pad 'same' passed as explicit padding (utils/same-padding.ts says why).
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeExplicitSameConvConfig } from './utils/same-padding';

/** Replaces the stock kernel where there is one. */
export const conv2DConfig: FastKernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => makeExplicitSameConvConfig(original!),
};
