import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerFastKernels, restoreKernels } from './register-all-kernels';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterEach(() => restoreKernels());
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** The same op on the cpu backend, as the reference. */
async function onCpu(fn: () => tf.Tensor): Promise<number[]> {
  await tf.setBackend('cpu');
  try {
    const out = fn();
    const values = Array.from(await out.data());
    out.dispose();
    return values;
  } finally {
    await tf.setBackend('wasm');
  }
}

describe('UnsortedSegmentSum on wasm (added: stock wasm has none)', () => {
  it('is missing from stock wasm, so the gradient of a gather cannot run there', () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    registerFastKernels();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    restoreKernels();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
  });

  it('equals the cpu kernel on random rows of rank 1 to 3, dropping out-of-range ids', async () => {
    registerFastKernels();
    for (const [rows, rest, segments] of [
      [40, [], 7],
      [33, [5], 9],
      [12, [3, 4], 5],
    ] as [number, number[], number][]) {
      const xValues = Array.from({ length: rows * rest.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7));
      const ids = Array.from({ length: rows }, (_, i) => ((i * 5) % (segments + 2)) - 1); // includes -1 and K
      const run = () => tf.unsortedSegmentSum(tf.tensor(xValues, [rows, ...rest]), tf.tensor1d(ids, 'int32'), segments);
      const fast = run();
      expect(fast.shape).toEqual([segments, ...rest]);
      const expected = await onCpu(run);
      const actual = Array.from(await fast.data());
      for (const [i, value] of actual.entries()) expect(value).toBeCloseTo(expected[i]!, 5);
      fast.dispose();
    }
  });

  it('lets an embedding-style gather train on wasm: its gradient equals the cpu one', async () => {
    registerFastKernels();
    const table = [0.5, -1, 2, 3, 0.25, -0.75];
    const grad = () =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.gather(t, tf.tensor1d([2, 0, 2, 1], 'int32')),
            tf.tensor2d([
              [1, 2],
              [3, 4],
              [5, 6],
              [7, 8],
            ]),
          ),
        ),
      )(tf.tensor2d(table, [3, 2]));
    const fast = grad();
    expect(Array.from(await fast.data())).toEqual(await onCpu(grad));
    expect(Array.from(await fast.data())).toEqual([3, 4, 7, 8, 6, 8]);
    fast.dispose();
  });
});
