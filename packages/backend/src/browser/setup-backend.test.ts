// The browser setupBackend's choices, run in Node: there is no WebGPU and no WebGL here, so 'auto' passes over both
// with their reasons and takes wasm with the fast kernels. The real browser is tested in test/browser-kernels.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { restoreKernels } from '../kernels/register-all-kernels';
import { setupBackend } from './setup-backend';

afterAll(async () => {
  restoreKernels();
  await tf.setBackend('cpu');
});

describe('setupBackend for browsers (its choices, in Node)', () => {
  it("'auto' passes over what is not there, says why, and takes wasm with the fast kernels", async () => {
    const setup = await setupBackend({ loaders: { webgl: async () => Promise.reject(new Error('no WebGL here')) } });
    expect(setup).toMatchObject({
      name: 'wasm',
      tfBackendName: 'wasm',
      fast: true,
      software: false,
      freeingGradients: true,
    });
    expect(setup.skipped).toEqual([
      { name: 'webgpu', reason: 'not in this browser (or not a secure context)' },
      { name: 'webgl', reason: '@tensorflow/tfjs-backend-webgl did not load: no WebGL here' },
    ]);
    expect(setup.kernels).toContain('Conv2DBackpropFilter/wasm (added)');
    expect(setup.device).toMatch(/^(SIMD|no SIMD), \d+ threads?$/);
    expect(setup.summary).toMatch(
      /^backend: wasm, fast kernels \((no )?SIMD, \d+ threads?\) \(webgpu: not in this browser .*; webgl: .*no WebGL here\)$/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('takes a backend by name, and without fast training registers no kernel', async () => {
    const cpu = await setupBackend({ backend: 'cpu' });
    expect(cpu).toMatchObject({
      name: 'cpu',
      device: 'plain JavaScript',
      fast: false,
      kernels: ['Conv2DBackpropFilter/cpu'],
    });
    expect(cpu.summary).toBe('backend: cpu, the filter gradient as one convolution (plain JavaScript)');
    const stock = await setupBackend({ backend: 'wasm', fast: false });
    expect(stock).toMatchObject({ name: 'wasm', fast: false, kernels: [], freeingGradients: false });
    expect(stock.summary).toMatch(/^backend: wasm, stock kernels /);
  });

  it('refuses a backend that does not work here, and bad options, in one line', async () => {
    await expect(setupBackend({ backend: 'webgpu' })).rejects.toThrow(
      /^setupBackend: expected options\.backend 'webgpu' to work here, got not in this browser \(or not a secure context\)\.$/,
    );
    await expect(setupBackend({ backend: 'node' as never })).rejects.toThrow(
      /^setupBackend: expected options\.backend one of auto \| webgpu \| webgl \| wasm \| cpu, got 'node'\.$/,
    );
    await expect(setupBackend({ threads: 0 })).rejects.toThrow(
      /^setupBackend: expected options\.threads a positive integer, got 0\.$/,
    );
    const failing = async () => {
      throw new Error('offline');
    };
    await expect(
      setupBackend({ loaders: { webgpu: failing, webgl: failing, wasm: failing, cpu: failing } }),
    ).rejects.toThrow(
      /^setupBackend: expected options\.backend 'auto' a usable backend, got webgpu: .*; cpu: @tensorflow\/tfjs-backend-cpu did not load: offline\.$/,
    );
  });
});
