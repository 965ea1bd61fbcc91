import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { l2Normalize, nearestCodes, squaredDistances } from './nearest-code';

/** Nearest row of `codebook` for each row of `z`, by brute force in plain JS. */
function bruteForce(z: number[][], codebook: number[][]): number[] {
  return z.map((row) => {
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    codebook.forEach((code, k) => {
      const distance = code.reduce((sum, c, d) => sum + (c - (row[d] as number)) ** 2, 0);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = k;
      }
    });
    return best;
  });
}

describe('squaredDistances', () => {
  it('equals ||z - e||² for every pair', () => {
    const distances = squaredDistances(
      tf.tensor2d([
        [0, 0],
        [1, 2],
      ]),
      tf.tensor2d([
        [3, 4],
        [1, 0],
      ]),
    );
    expectClose(distances.dataSync(), [25, 1, 8, 4]);
    expect(distances.shape).toEqual([2, 2]);
  });

  it('rejects codebooks of another dim', () => {
    expect(() => squaredDistances(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow(
      /^squaredDistances: expected z last dim 2 \(codebook dim\), got 3 \(shape \[2,3\]\)\.$/,
    );
  });
});

describe('nearestCodes', () => {
  const codebook = tf.randomNormal([9, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
  const codebookRows = codebook.arraySync();

  it.each([[[40, 3]], [[4, 10, 3]], [[2, 4, 5, 3]]])(
    'matches brute force for input shape %j, in chunks smaller than the input',
    (shape) => {
      const z = tf.randomNormal(shape, 0, 1, 'float32', 11);
      const indices = nearestCodes(z, codebook, { chunkSize: 7 });
      expect(indices.dtype).toBe('int32');
      expect(indices.shape).toEqual(shape.slice(0, -1));
      const rows = (tf.reshape(z, [-1, 3]) as tf.Tensor2D).arraySync();
      expect(Array.from(indices.dataSync())).toEqual(bruteForce(rows, codebookRows));
    },
  );

  it('gives the same indices whatever the chunk size', () => {
    const z = tf.randomNormal([50, 3], 0, 1, 'float32', 3);
    const whole = nearestCodes(z, codebook, { chunkSize: 1000 }).dataSync();
    expect(Array.from(nearestCodes(z, codebook, { chunkSize: 1 }).dataSync())).toEqual(Array.from(whole));
  });

  it('compares directions in cosine mode', () => {
    const codes = tf.tensor2d([
      [1, 1],
      [0.1, 0],
    ]);
    const z = tf.tensor2d([[10, 0]]);
    expect(Array.from(nearestCodes(z, codes).dataSync())).toEqual([0]); // Euclidean: 82 < 98.01
    expect(Array.from(nearestCodes(z, codes, { distance: 'cosine' }).dataSync())).toEqual([1]); // cos 1 > 0.707
  });

  it('names the function, argument and shapes in its errors', () => {
    expect(() => nearestCodes(tf.zeros([8, 16, 16, 32]), codebook)).toThrow(
      /^nearestCodes: expected z last dim 3 \(codebook dim\), got 32 \(shape \[8,16,16,32\]\)\.$/,
    );
    expect(() => nearestCodes(tf.zeros([4, 3], 'int32'), codebook)).toThrow(
      /^nearestCodes: expected z dtype float32, got dtype int32\.$/,
    );
    expect(() => nearestCodes(tf.zeros([4, 3]), codebook, { chunkSize: 0 })).toThrow(
      /^nearestCodes: expected options\.chunkSize a positive integer, got 0\.$/,
    );
  });

  it('leaks no tensors', async () => {
    const z = tf.ones([20, 3]);
    await expectNoLeak(() => nearestCodes(z, codebook, { chunkSize: 6 }));
    await expectNoLeak(() => nearestCodes(z, codebook, { chunkSize: 6, distance: 'cosine' }));
  });
});

describe('l2Normalize', () => {
  it('scales rows to unit norm and keeps zero rows at zero', () => {
    expectClose(
      l2Normalize(
        tf.tensor2d([
          [3, 4],
          [0, 0],
        ]),
      ).dataSync(),
      [0.6, 0.8, 0, 0],
    );
  });
});
