import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { FUSED_KERNELS, hasFusedKernel, hasFusedKernels } from './fused-kernels';

describe('hasFusedKernel', () => {
  afterEach(() => {
    if (tf.getKernel(FUSED_KERNELS.gatedActivation, 'cpu')) tf.unregisterKernel(FUSED_KERNELS.gatedActivation, 'cpu');
  });

  it('says whether the active backend has the kernel, and only that backend', () => {
    expect(tf.getBackend()).toBe('cpu');
    expect(hasFusedKernel(FUSED_KERNELS.gatedActivation)).toBe(false);
    const kernelFunc = (() => {
      throw new Error('not run');
    }) as unknown as tf.KernelFunc;
    tf.registerKernel({ kernelName: FUSED_KERNELS.gatedActivation, backendName: 'cpu', kernelFunc });
    expect(hasFusedKernel(FUSED_KERNELS.gatedActivation)).toBe(true);
    expect(hasFusedKernel(FUSED_KERNELS.gatedActivationGrad)).toBe(false);
    expect(hasFusedKernels(FUSED_KERNELS.gatedActivation)).toBe(true);
    expect(hasFusedKernels(FUSED_KERNELS.gatedActivation, FUSED_KERNELS.gatedActivationGrad)).toBe(false);
  });

  it('names kernels no tfjs backend has', () => {
    expect(Object.values(FUSED_KERNELS)).toEqual([
      'VaejsGatedActivation',
      'VaejsGatedActivationGrad',
      'VaejsBernoulliLogLikelihood',
      'VaejsBernoulliLogLikelihoodGrad',
      'VaejsGaussianSample',
      'VaejsGaussianSampleGrad',
      'VaejsGaussianKl',
      'VaejsGaussianKlGrad',
    ]);
    // none of them is a stock tfjs kernel (the cpu backend, loaded here, registers every kernel it has)
    for (const name of Object.values(FUSED_KERNELS)) expect(tf.getKernel(name, 'cpu')).toBeUndefined();
  });
});
