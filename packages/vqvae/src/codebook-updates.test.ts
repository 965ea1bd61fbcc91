import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { emaCodebookUpdate, kmeans, restartDeadCodes, sampleRowIndices } from './codebook-updates';

describe('emaCodebookUpdate', () => {
  // K = 3 codes of D = 2, decay 0.5. Codes 0 and 1 get vectors, code 2 gets none.
  const state = {
    clusterSize: tf.tensor1d([1, 1, 2]),
    embedSum: tf.tensor2d([
      [1, 0],
      [0, 1],
      [2, 2],
    ]),
  };
  const vectors = tf.tensor2d([
    [2, 0],
    [4, 0],
    [0, 3],
  ]);
  const indices = tf.tensor1d([0, 0, 1], 'int32');

  it('follows N ← γN + (1−γ)n, m ← γm + (1−γ)Σz, e = m / N without smoothing', () => {
    const next = emaCodebookUpdate(state, vectors, indices, { decay: 0.5, epsilon: 0 });
    // n = [2, 1, 0]; N = [0.5 + 1, 0.5 + 0.5, 1 + 0] ; Σz = [[6, 0], [0, 3], [0, 0]]
    expectClose(next.clusterSize.dataSync(), [1.5, 1, 1]);
    expectClose(next.embedSum.dataSync(), [3.5, 0, 0, 2, 1, 1]);
    expectClose(next.codebook.dataSync(), [3.5 / 1.5, 0, 0, 2, 1, 1]);
  });

  it('applies Laplace smoothing (N + ε) / (ΣN + Kε) · ΣN', () => {
    const next = emaCodebookUpdate(state, vectors, indices, { decay: 0.5, epsilon: 0.1 });
    const total = 3.5;
    const smoothed = [1.5, 1, 1].map((n) => ((n + 0.1) / (total + 3 * 0.1)) * total);
    const [s0, s1, s2] = smoothed as [number, number, number];
    expectClose(next.codebook.dataSync(), [3.5 / s0, 0, 0, 2 / s1, 1 / s2, 1 / s2]);
  });

  it('leaks no tensors', async () => {
    await expectNoLeak(() => emaCodebookUpdate(state, vectors, indices, { decay: 0.9, epsilon: 1e-5 }));
  });
});

describe('restartDeadCodes', () => {
  const codebook = tf.tensor2d([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
  ]);
  const usage = tf.tensor1d([5, 0, 3, 0.5]);
  const vectors = tf.tensor2d([
    [10, 0],
    [20, 0],
    [30, 0],
    [40, 0],
    [50, 0],
  ]);

  it('replaces exactly the codes under the threshold, by distinct batch vectors', () => {
    const { codebook: restarted, dead } = restartDeadCodes(codebook, usage, vectors, { threshold: 1, seed: 3 });
    expect(Array.from(dead.dataSync())).toEqual([0, 1, 0, 1]);
    const rows = restarted.arraySync();
    expect(rows[0]).toEqual([0, 0]);
    expect(rows[2]).toEqual([2, 2]);
    const candidates = vectors.arraySync().map((row) => row.join());
    expect(candidates).toContain((rows[1] as number[]).join());
    expect(candidates).toContain((rows[3] as number[]).join());
    expect(rows[1]).not.toEqual(rows[3]);
  });

  it('is seeded', () => {
    const a = restartDeadCodes(codebook, usage, vectors, { threshold: 1, seed: 9 }).codebook.dataSync();
    const b = restartDeadCodes(codebook, usage, vectors, { threshold: 1, seed: 9 }).codebook.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('leaks no tensors', async () => {
    await expectNoLeak(() => restartDeadCodes(codebook, usage, vectors, { threshold: 1, seed: 1 }));
  });
});

describe('sampleRowIndices', () => {
  it('draws distinct rows when there are enough, and covers all rows when there are too few', () => {
    const distinct = Array.from(sampleRowIndices(10, 10, 4).dataSync());
    expect([...distinct].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const few = Array.from(sampleRowIndices(3, 7, 4).dataSync());
    expect(few).toHaveLength(7);
    expect(new Set(few)).toEqual(new Set([0, 1, 2]));
  });
});

describe('kmeans', () => {
  it('finds the centres of well separated blobs', () => {
    const centres = [
      [-5, 0],
      [5, 0],
      [0, 8],
    ];
    const noise = tf.randomNormal([60, 2], 0, 0.1, 'float32', 2);
    const points = tf.add(tf.tensor2d(Array.from({ length: 60 }, (_, i) => centres[i % 3] as number[])), noise);
    const { centroids, counts } = kmeans(points as tf.Tensor2D, 3, { iterations: 10, seed: 1 });
    const found = centroids
      .arraySync()
      .map((c) => c.map((v) => Math.round(v)).join())
      .sort();
    expect(found).toEqual(['-5,0', '0,8', '5,0']);
    expect(Array.from(counts.dataSync())).toEqual([20, 20, 20]);
  });
});
