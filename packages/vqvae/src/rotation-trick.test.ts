import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rotateTo } from './rotation-trick';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const scale = (a: number[], k: number) => a.map((v) => v * k);

/** λ·Rᵀ·g by hand: R = I − 2wwᵀ + 2q̂êᵀ, so Rᵀg = g − 2w(w·g) + 2ê(q̂·g). */
function expectedGradient(e: number[], q: number[], g: number[]): number[] {
  const eHat = scale(e, 1 / norm(e));
  const qHat = scale(q, 1 / norm(q));
  const sum = eHat.map((v, i) => v + (qHat[i] as number));
  const w = norm(sum) === 0 ? sum : scale(sum, 1 / norm(sum)); // antipodal: no w (as the op's ‖·‖ floor)
  const lambda = norm(q) / norm(e);
  return g.map((v, i) => lambda * (v - 2 * (w[i] as number) * dot(w, g) + 2 * (eHat[i] as number) * dot(qHat, g)));
}

describe('the rotation trick', () => {
  const e = [
    [0.5, -1.0, 2.0],
    [3.0, 0.2, -0.4],
    [-1.0, -1.0, 0.5],
  ];
  const q = [
    [0.4, -0.6, 1.5],
    [-2.0, 1.0, 0.3],
    [1.0, 1.0, -0.5],
  ];
  const g = [
    [1, 2, 3],
    [-1, 0.5, 2],
    [0.3, -0.2, 1],
  ];

  it('is z_q forward', () => {
    const out = rotateTo(tf.tensor2d(e), tf.tensor2d(q));
    (out.arraySync() as number[][]).forEach((row, r) => {
      row.forEach((v, i) => {
        expect(v).toBeCloseTo(q[r]?.[i] as number, 5);
      });
    });
  });

  it('gives the encoder λ·Rᵀ·g (not g as straight-through does), the antipodal case included', () => {
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(rotateTo(x, tf.tensor2d(q)), tf.tensor2d(g))))(tf.tensor2d(e));
    const rows = grad.arraySync() as number[][];
    rows.forEach((row, r) => {
      const expected = expectedGradient(e[r] as number[], q[r] as number[], g[r] as number[]);
      row.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i] as number, 4);
      });
      expect(row.some((v, i) => Math.abs(v - (g[r]?.[i] as number)) > 0.05)).toBe(true);
    });
  });

  it('passes a zero z_e straight through, finite', () => {
    const x = tf.tensor2d([[0, 0, 0]]);
    const target = tf.tensor2d([[1, 2, 3]]);
    expect(Array.from(rotateTo(x, target).dataSync())).toEqual([1, 2, 3]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(rotateTo(v, target), tf.tensor2d([[4, 5, 6]]))))(x);
    expect(Array.from(grad.dataSync())).toEqual([4, 5, 6]);
  });
});
