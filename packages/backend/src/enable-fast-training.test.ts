import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from './__fixtures__/kernel-compare';
import { disableFastTraining, enableFastTraining, fastTrainingReport } from './enable-fast-training';
import { freeingGradientsInstalled } from './freeing-gradients';

const kernelSnapshot = (backend: string) => new Map(tf.getKernelsForBackend(backend).map((k) => [k.kernelName, k]));

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await disableFastTraining();
  await tf.setBackend('cpu');
});

/** Trains a small tf.layers conv/deconv/dense model with `fit` for 3 epochs; returns the per-epoch losses. */
async function fitLosses(): Promise<number[]> {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.conv2dTranspose({
        filters: 2,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
      }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 5, kernelInitializer: init(3) }),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const x = tf.randomNormal([16, 8, 8, 1], 0, 1, 'float32', 4);
  const y = tf.randomNormal([16, 5], 0, 1, 'float32', 5);
  const history = await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return history.history.loss as number[];
}

describe('enableFastTraining', () => {
  it('registers nothing when @vaejs/backend is imported', async () => {
    const before = kernelSnapshot('wasm');
    await import('./index');
    expect(kernelSnapshot('wasm')).toEqual(before);
  });

  it('replaces the wasm kernels and disableFastTraining restores the registry exactly', async () => {
    const before = kernelSnapshot('wasm');
    const report = await enableFastTraining({ threads: 1 });
    expect(report).toMatchObject({ backend: 'wasm', enabled: true, threads: 1, notes: [], freeingGradients: true });
    expect(freeingGradientsInstalled()).toBe(true);
    expect(report.kernels).toEqual(
      expect.arrayContaining([
        'BatchMatMul/wasm',
        '_FusedMatMul/wasm',
        'Conv2DBackpropFilter/wasm (added)',
        'Conv2DBackpropInput/wasm',
      ]),
    );
    expect(report.summary).toBe('wasm, fast training (XNNPACK matMul/conv, 1 thread)');
    expect(fastTrainingReport()).toBe(report);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(before.get('BatchMatMul'));
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    await enableFastTraining({ threads: 1 }); // enabling twice stacks nothing
    await disableFastTraining();
    const after = kernelSnapshot('wasm');
    expect(after.size).toBe(before.size);
    for (const [name, config] of before) expect(after.get(name), name).toBe(config);
    expect(fastTrainingReport()).toBeNull();
    expect(freeingGradientsInstalled()).toBe(false);
  });

  it('trains a tf.layers conv model with fit to the losses of the stock cpu kernels, on all threads', async () => {
    // Stock wasm cannot train it at all (no Conv2DBackpropFilter), so the reference is the cpu backend.
    await tf.setBackend('cpu');
    const stock = await fitLosses();
    await tf.setBackend('wasm');
    const report = await enableFastTraining();
    expect(report.threads).toBeGreaterThanOrEqual(1);
    const fast = await fitLosses();
    expect(await disableFastTraining()).toEqual({
      kernelsRestored: true,
      threadsRestored: report.threads !== 1,
      notes: [],
    });
    expect(fast).toHaveLength(3);
    expect(relativeError(fast, stock)).toBeLessThanOrEqual(1e-4);
    expect(fast[2]!).toBeLessThan(fast[0]!);
  });

  it('leaves threads alone, and says why, when tensors already live on wasm', async () => {
    const live = tf.ones([2]);
    const report = await enableFastTraining({ threads: 2 });
    expect(report.enabled).toBe(true);
    expect(report.threads).toBe(1);
    expect(report.notes.join()).toMatch(
      /threads left at 1: fast training: \d+ tensors already live on the wasm backend; enable it before making any/,
    );
    live.dispose();
    await disableFastTraining();
  });

  it('on the cpu backend replaces only the filter gradient, says so, and disableFastTraining restores it', async () => {
    await tf.setBackend('cpu');
    const before = kernelSnapshot('cpu');
    const report = await enableFastTraining();
    expect(report).toMatchObject({
      backend: 'cpu',
      enabled: false,
      kernels: ['Conv2DBackpropFilter/cpu'],
      summary: 'cpu (stock kernels; the filter gradient as one forward convolution)',
    });
    await disableFastTraining();
    expect(kernelSnapshot('cpu')).toEqual(before);
    await tf.setBackend('wasm');
  });

  it('keeps the stock backward pass with freeingGradients: false', async () => {
    await enableFastTraining({ threads: 1 });
    const report = await enableFastTraining({ threads: 1, freeingGradients: false });
    expect(report.freeingGradients).toBe(false);
    expect(freeingGradientsInstalled()).toBe(false);
    await disableFastTraining();
  });

  it('rejects a thread count that is not a positive integer', async () => {
    await expect(enableFastTraining({ threads: 0 })).rejects.toThrow(
      /^enableFastTraining: expected options.threads a positive integer or 'all', got 0.$/,
    );
    await expect(enableFastTraining({ threads: 1.5 })).rejects.toThrow(/got 1.5.$/);
  });
});
