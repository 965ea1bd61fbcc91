import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { segmentCounts, segmentSum } from './segment-sum';

describe('segmentSum / segmentCounts', () => {
  it('equal tf.unsortedSegmentSum on random rows, including empty segments', () => {
    const values = tf.randomUniform([50, 6], -1, 1, 'float32', 3) as tf.Tensor2D;
    const indices = tf.cast(tf.floor(tf.randomUniform([50], 0, 9, 'float32', 4)), 'int32') as tf.Tensor1D;
    const expected = tf.unsortedSegmentSum(values, indices, 11).arraySync() as number[][];
    const actual = segmentSum(values, indices, 11).arraySync() as number[][];
    for (const [k, row] of actual.entries()) {
      for (const [d, value] of row.entries()) expect(value).toBeCloseTo(expected[k]![d]!, 5);
    }
    expect(actual[10]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(segmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([2, 0, 2], 'int32'), 3).dataSync())).toEqual([
      2, 0, 4,
    ]);
  });

  it('counts codes of any shape', async () => {
    const counts = segmentCounts(
      tf.tensor2d(
        [
          [0, 3],
          [3, 3],
        ],
        [2, 2],
        'int32',
      ),
      5,
    );
    expect(counts.dtype).toBe('float32');
    expect(Array.from(await counts.data())).toEqual([1, 0, 0, 3, 0]);
    const one = tf.tensor1d([1], 'int32');
    const row = tf.ones([1, 2]);
    await expectNoLeak(() => [segmentCounts(one, 2), segmentSum(row, one, 2)]);
  });
});
