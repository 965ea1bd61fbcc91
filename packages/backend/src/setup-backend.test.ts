import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { disableFastTraining, fastTrainingReport } from './enable-fast-training';
import { freeingGradientsInstalled } from './freeing-gradients';
import { setupBackend } from './setup-backend';

const kernelSnapshot = (backend: string) => new Map(tf.getKernelsForBackend(backend).map((k) => [k.kernelName, k]));

afterEach(async () => {
  await disableFastTraining();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('setupBackend', () => {
  it('on cpu: gradients, the freeing backward pass, the filter gradient as a convolution', async () => {
    const before = kernelSnapshot('cpu');
    const setup = await setupBackend({ backend: 'cpu' });
    expect(setup).toEqual({
      name: 'cpu',
      tfBackendName: 'cpu',
      fast: false,
      threads: 1,
      native: null,
      nativeReason: null,
      freeingGradients: true,
      skipped: [],
      gradients: 'already-registered', // the test setup registered them
      kernels: ['Conv2DBackpropFilter/cpu'],
      notes: [],
      summary: 'backend: cpu',
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(freeingGradientsInstalled()).toBe(true);
    expect(kernelSnapshot('cpu')).not.toEqual(before);
    await setupBackend({ backend: 'cpu', fast: false });
    expect(kernelSnapshot('cpu')).toEqual(before);
  });

  it('auto: skips the missing native packages, and turns on the fast wasm kernels (native: false)', async () => {
    const setup = await setupBackend({ threads: 1, native: false });
    expect(setup).toMatchObject({
      name: 'wasm',
      tfBackendName: 'wasm',
      fast: true,
      threads: 1,
      native: null,
      nativeReason: null,
      freeingGradients: true,
    });
    expect(setup.skipped.map(({ name, reason }) => ({ name, reason }))).toEqual([
      { name: 'node-gpu', reason: 'not installed' },
      { name: 'node', reason: 'not installed' },
    ]);
    expect(setup.skipped[1]!.hint).toMatch(
      /^looked beside @vaejs\/backend \(.+\) and from .+; to use it, run: npm install @tensorflow\/tfjs-node$/,
    );
    expect(setup.kernels).toEqual([
      'BatchMatMul/wasm',
      '_FusedMatMul/wasm',
      'Identity/wasm',
      'Conv2D/wasm',
      'FusedConv2D/wasm',
      'Conv2DBackpropFilter/wasm (added)',
      'Conv2DBackpropInput/wasm',
      'UnsortedSegmentSum/wasm (added)',
    ]);
    expect(setup.summary).toBe(
      'backend: wasm, fast kernels (XNNPACK matMul/conv, 1 thread) (tfjs-node-gpu: not installed; tfjs-node: not installed)',
    );
    expect(tf.getBackend()).toBe('wasm');
    // A conv layer's filter gradient: stock wasm has no Conv2DBackpropFilter kernel.
    const dw = tf.grad((w: tf.Tensor) =>
      tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')),
    )(tf.ones([3, 3, 1, 1]));
    expect(Array.from(dw.dataSync())).toEqual(Array(9).fill(4));
    tf.dispose(dw);
  });

  it('is idempotent: a second call gives the same set-up and stacks nothing', async () => {
    const stock = kernelSnapshot('wasm');
    const options = { backend: 'wasm', threads: 1, native: false } as const;
    const first = await setupBackend(options);
    const fastKernels = kernelSnapshot('wasm');
    const second = await setupBackend(options);
    expect(second).toEqual({ ...first, gradients: 'already-registered' });
    expect(kernelSnapshot('wasm').size).toBe(fastKernels.size);
    await disableFastTraining();
    const after = kernelSnapshot('wasm');
    for (const [name, config] of stock) expect(after.get(name), name).toBe(config);
  });

  it('fast: false leaves (or puts back) the stock kernels and backward pass', async () => {
    const stock = kernelSnapshot('wasm');
    await setupBackend({ backend: 'wasm', threads: 1 });
    const setup = await setupBackend({ backend: 'wasm', fast: false });
    expect(setup).toMatchObject({ native: null, nativeReason: null });
    expect(setup).toMatchObject({ fast: false, threads: 1, freeingGradients: false, kernels: [], notes: [] });
    expect(setup.summary).toBe('backend: wasm, stock kernels');
    expect(fastTrainingReport()).toBeNull();
    expect(freeingGradientsInstalled()).toBe(false);
    const after = kernelSnapshot('wasm');
    expect(after.size).toBe(stock.size);
    for (const [name, config] of stock) expect(after.get(name), name).toBe(config);
  });

  it('keeps the stock backward pass with freeingGradients: false', async () => {
    const setup = await setupBackend({ backend: 'cpu', freeingGradients: false });
    expect(setup.freeingGradients).toBe(false);
    expect(freeingGradientsInstalled()).toBe(false);
  });

  it('says in notes and summary when it cannot give the threads asked for', async () => {
    await tf.setBackend('wasm');
    const live = tf.ones([2]);
    try {
      const setup = await setupBackend({ backend: 'wasm', threads: 2, native: false });
      expect(setup.threads).toBe(1);
      expect(setup.fast).toBe(true);
      expect(setup.notes).toEqual([
        expect.stringMatching(/^threads left at 1: fast training: \d+ tensors already live on the wasm backend/),
      ]);
      expect(setup.summary).toBe(`backend: wasm, fast kernels (XNNPACK matMul/conv, 1 thread); ${setup.notes[0]}`);
    } finally {
      live.dispose();
    }
  });

  it('rejects bad options with messages that name them', async () => {
    await expect(setupBackend({ threads: 0 })).rejects.toThrow(
      /^setupBackend: expected options\.threads a positive integer or 'all', got 0\.$/,
    );
    await expect(setupBackend({ backend: 'webgl' as 'cpu' })).rejects.toThrow(ConfigError);
    await expect(setupBackend({ backend: 'webgl' as 'cpu' })).rejects.toThrow(
      /^setupBackend: expected options\.backend one of auto \| node-gpu \| node \| wasm \| cpu, got 'webgl'\.$/,
    );
    await expect(
      setupBackend({ backend: 'wasm', loaders: { wasm: () => Promise.reject(new Error('no wasm here')) } }),
    ).rejects.toThrow(
      /^setupBackend: expected options\.backend 'wasm' to load, got tfjs-backend-wasm: failed to load: no wasm here\.$/,
    );
  });
});
