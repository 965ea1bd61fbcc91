import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from './__fixtures__/kernel-compare';
import { disableFastTraining, enableFastTraining } from './enable-fast-training';
import { wasmThreadsEnabled } from './wasm-threads';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await disableFastTraining();
  await tf.setBackend('cpu');
});

describe('wasm threads in Node (worker_threads)', () => {
  it('re-initialises the wasm backend with 2 XNNPACK threads, computes like cpu, and restores the stock set-up', async () => {
    const stockThreads = wasm.getThreadsCount();
    const report = await enableFastTraining({ threads: 2 });
    expect(report.notes).toEqual([]);
    expect(report.threads).toBe(2);
    expect(wasm.getThreadsCount()).toBe(2);
    expect(wasmThreadsEnabled()).toBe(true);
    expect(report.summary).toBe('wasm, fast training (XNNPACK matMul/conv, 2 threads)');
    const a = tf.randomNormal([96, 130], 0, 1, 'float32', 1);
    const b = tf.randomNormal([96, 70], 0, 1, 'float32', 2);
    const x = tf.randomNormal([4, 12, 12, 3], 0, 1, 'float32', 3);
    const w = tf.randomNormal([3, 3, 3, 8], 0, 1, 'float32', 4);
    const compute = () =>
      tf
        .tidy(() => [
          tf.matMul(a, b, true, false),
          ...tf.grads((xx, ww) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))))([
            x,
            w,
          ]),
        ])
        .map((t) => {
          const values = t.dataSync().slice();
          t.dispose();
          return values;
        });
    const threaded = compute();
    await tf.setBackend('cpu');
    const reference = compute();
    tf.dispose([a, b, x, w]);
    await tf.setBackend('wasm');
    for (const [i, values] of threaded.entries())
      expect(relativeError(values, reference[i]!)).toBeLessThanOrEqual(1e-5);
    await disableFastTraining();
    expect(wasmThreadsEnabled()).toBe(false);
    expect(wasm.getThreadsCount()).toBe(stockThreads);
    expect(Object.getOwnPropertyDescriptor(globalThis, 'Worker')?.get).toBeUndefined();
  });
});
