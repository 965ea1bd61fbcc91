// Conv2DBackpropFilter (a conv2d's filter gradient; stock wasm has none) on the native addon (utils/native-conv.ts
// says how); the fast wasm kernel where it does not apply.
import type * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeConv2DBackpropFilterConfig } from './utils/native-conv';

/** Added where stock tfjs has none (wasm 4.22), or replaces one. */
export const nativeConv2DBackpropFilterConfig: FastKernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  when: 'always',
  create: (context): tf.KernelConfig =>
    makeNativeConv2DBackpropFilterConfig(conv2DBackpropFilterConfig.create(context)),
};
