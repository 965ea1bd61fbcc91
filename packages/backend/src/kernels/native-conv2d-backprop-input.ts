// Conv2DBackpropInput (a conv2d's input gradient, and conv2dTranspose's forward pass) on the native addon
// (utils/native-conv.ts says how); the fast wasm kernel where it does not apply.
import type * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { makeNativeConv2DBackpropInputConfig } from './utils/native-conv';

/** Replaces the stock kernel where there is one. */
export const nativeConv2DBackpropInputConfig: FastKernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  when: 'replace',
  create: (context): tf.KernelConfig => makeNativeConv2DBackpropInputConfig(conv2DBackpropInputConfig.create(context)),
};
