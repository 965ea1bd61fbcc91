import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFiniteScalarQuantizer, fsqCodebook } from './fsq';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const read = (t: tf.Tensor) => Array.from(t.dataSync());

describe('finite scalar quantisation', () => {
  it('numbers the grid in mixed radix, channel 0 fastest, codes in [-1, 1]', () => {
    const grid = fsqCodebook([3, 4]);
    expect(grid.shape).toEqual([12, 2]);
    const rows = grid.arraySync();
    // L = 3: levels -1, 0, 1 (⌊3/2⌋ = 1); L = 4: -2..1 over 2 → -1, -0.5, 0, 0.5
    expect(rows[0]).toEqual([-1, -1]);
    expect(rows[1]).toEqual([0, -1]);
    expect(rows[2]).toEqual([1, -1]);
    expect(rows[3]).toEqual([-1, -0.5]);
    expect(rows[11]).toEqual([1, 0.5]);
    expect(new Set(rows.map((r) => r.join())).size).toBe(12);
    grid.dispose();
  });

  it('maps z to the level of its bounded value, and indices and lookup agree with the quantised output', () => {
    const fsq = createFiniteScalarQuantizer({ levels: [8, 5, 3] });
    const z = tf.randomNormal([64, 3], 0, 3, 'float32', 1);
    const result = fsq.quantize(z);
    const halfRange = [3.5 * 1.001, 2 * 1.001, 1 * 1.001];
    const offset = [0.5, 0, 0];
    const halfWidth = [4, 2, 1];
    const values = z.arraySync() as number[][];
    const expected = values.flatMap((row) =>
      row.map((v, i) => {
        const shift = Math.atanh((offset[i] as number) / (halfRange[i] as number));
        const bounded = Math.tanh(v + shift) * (halfRange[i] as number) - (offset[i] as number);
        return Math.round(bounded) / (halfWidth[i] as number);
      }),
    );
    read(result.output).forEach((v, k) => {
      expect(v).toBeCloseTo(expected[k] as number, 6);
    });
    const quantized = read(result.quantized);
    read(result.output).forEach((v, k) => {
      expect(v).toBeCloseTo(quantized[k] as number, 6);
    });
    const looked = fsq.lookup(result.indices);
    expect(read(looked)).toEqual(quantized.map((v) => v + 0)); // + 0: round gives -0, the grid 0
    expect(read(fsq.encode(z))).toEqual(read(result.indices));
    expect(Math.max(...read(result.indices))).toBeLessThan(120);
    expect(read(result.loss)).toEqual([0]);
    tf.dispose([z, looked, ...Object.values(result)]);
    fsq.dispose();
  });

  it('encodes a z made to land on each code (the bound inverted) as that code', () => {
    const levels = [8, 4, 5];
    const fsq = createFiniteScalarQuantizer({ levels });
    const halfRange = levels.map((l) => ((l - 1) * 1.001) / 2);
    const offset = levels.map((l) => (l % 2 === 0 ? 0.5 : 0));
    const halfWidth = levels.map((l) => Math.floor(l / 2));
    const grid = fsq.codebook.arraySync() as number[][];
    const z = tf.tensor2d(
      grid.map((code) =>
        code.map((c, i) => {
          const bounded = c * (halfWidth[i] as number);
          const shift = Math.atanh((offset[i] as number) / (halfRange[i] as number));
          return Math.atanh((bounded + (offset[i] as number)) / (halfRange[i] as number)) - shift;
        }),
      ),
    );
    expect(read(fsq.encode(z))).toEqual(grid.map((_, k) => k));
    z.dispose();
    fsq.dispose();
  });

  it('uses every code on normal inputs', () => {
    const fsq = createFiniteScalarQuantizer({ levels: [8, 4, 4] });
    const z = tf.randomNormal([20000, 3], 0, 1, 'float32', 2);
    const { usage, perplexity, ...rest } = fsq.quantize(z);
    expect(read(usage)).toEqual([1]);
    expect(read(perplexity)[0]).toBeGreaterThan(64);
    tf.dispose([z, usage, perplexity, rest]);
    fsq.dispose();
  });

  it('passes the gradient straight through the rounding, times the bound derivative over ⌊L/2⌋', () => {
    const fsq = createFiniteScalarQuantizer({ levels: [8, 5] });
    const z = tf.tensor2d([
      [0.3, -0.7],
      [1.2, 0.1],
    ]);
    const weights = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fsq.quantize(x).output, weights)))(z);
    const halfRange = [3.5 * 1.001, 2 * 1.001];
    const shift = [Math.atanh(0.5 / (halfRange[0] as number)), 0];
    const halfWidth = [4, 2];
    const expected = (z.arraySync() as number[][]).flatMap((row, r) =>
      row.map((v, i) => {
        const t = Math.tanh(v + (shift[i] as number));
        return ((1 - t * t) * (halfRange[i] as number) * (r * 2 + i + 1)) / (halfWidth[i] as number);
      }),
    );
    read(grad).forEach((g, k) => {
      expect(g).toBeCloseTo(expected[k] as number, 5);
    });
    tf.dispose([z, weights, grad]);
    fsq.dispose();
  });

  it('refuses bad levels and a z of the wrong width in the caller’s words', () => {
    expect(() => createFiniteScalarQuantizer({ levels: [8, 1] })).toThrow(
      /^createFiniteScalarQuantizer: expected config\.levels a non-empty array of integers ≥ 2/,
    );
    expect(() => createFiniteScalarQuantizer({ levels: [256, 256, 2] })).toThrow(/131072 codes/);
    const fsq = createFiniteScalarQuantizer({ levels: [4, 4] });
    const z = tf.zeros([2, 3]);
    expect(() => fsq.quantize(z)).toThrow(/expected z last dim 2 \(levels\.length\), got 3/);
    z.dispose();
    fsq.dispose();
  });
});
