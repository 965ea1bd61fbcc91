import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { categoricalLogProb, categoricalSample } from './categorical';

const logSoftmax = (row: number[]) => {
  const max = Math.max(...row);
  const log = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  return row.map((v) => v - log);
};

describe('categoricalLogProb', () => {
  it('gives the gradient of autodiff through log softmax and the picking, with per-position weights', () => {
    tf.tidy(() => {
      const logits = tf.randomNormal([3, 5, 7, 11], 0, 4, 'float32', 1);
      const indices = tf.randomUniform([3, 5, 7], 0, 11, 'int32', 2);
      const weights = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 3);
      const formula = (l: tf.Tensor) => {
        const logProbs = tf.logSoftmax(tf.reshape(l, [-1, 11]));
        const oneHot = tf.cast(tf.oneHot(tf.reshape(indices, [-1]), 11), 'float32');
        return tf.reshape(tf.sum(tf.mul(logProbs, oneHot), -1), indices.shape);
      };
      const expected = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(formula(l), weights)))(logits);
      const actual = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(categoricalLogProb(l, indices), weights)))(logits);
      expectClose(actual.dataSync(), expected.dataSync(), 1e-5);
      expectClose(categoricalLogProb(logits, indices).dataSync(), formula(logits).dataSync(), 0);
    });
  });

  it('picks log softmax at the index, for any leading shape', () => {
    tf.tidy(() => {
      const rows = [
        [1, 2, 3],
        [0, 0, 0],
        [-1, 5, 2],
        [10, -10, 0],
      ];
      const logits = tf.tensor3d([rows.slice(0, 2), rows.slice(2)]);
      const indices = tf.tensor2d(
        [
          [2, 0],
          [1, 0],
        ],
        [2, 2],
        'int32',
      );
      const result = categoricalLogProb(logits, indices);
      expect(result.shape).toEqual([2, 2]);
      expect(result.dtype).toBe('float32');
      expectClose(result.dataSync(), [
        logSoftmax(rows[0]!)[2]!,
        Math.log(1 / 3),
        logSoftmax(rows[2]!)[1]!,
        logSoftmax(rows[3]!)[0]!,
      ]);
    });
  });

  it('gives −Infinity for an index out of range', () => {
    tf.tidy(() => {
      const result = categoricalLogProb(tf.zeros([2, 3]), tf.tensor1d([3, 1], 'int32')).dataSync();
      expect(result[0]).toBe(Number.NEGATIVE_INFINITY);
      expectClose([result[1]!], [Math.log(1 / 3)]);
    });
  });

  it('has gradient onehot − softmax', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[0.5, -1, 2]]);
      const grad = tf.grad((l: tf.Tensor) => tf.sum(categoricalLogProb(l, tf.tensor1d([1], 'int32'))))(logits);
      const p = logSoftmax([0.5, -1, 2]).map(Math.exp);
      expectClose(grad.dataSync(), [-p[0]!, 1 - p[1]!, -p[2]!]);
    });
  });

  it('rejects bad inputs', () => {
    const logits = tf.zeros([2, 3]);
    const scalar = tf.scalar(1);
    const good = tf.zeros([2], 'int32');
    const wrongShape = tf.zeros([3], 'int32');
    const floats = tf.zeros([2]);
    const empty = tf.zeros([2, 0]);
    const fn = categoricalLogProb;
    expect(() => fn(scalar, good)).toThrow(
      /^categoricalLogProb: expected logits rank ≥ 1 \(\[\.\.\., K\]\), got rank 0 \(a scalar\)\.$/,
    );
    expect(() => fn(logits, floats)).toThrow(/^categoricalLogProb: expected indices dtype int32, got dtype float32\.$/);
    expect(() => fn(logits, wrongShape)).toThrow(
      /^categoricalLogProb: expected indices shape \[2\] \(the shape of logits without its last axis\), got shape \[3\]\.$/,
    );
    expect(() => fn(empty, good)).toThrow(/^categoricalLogProb: expected logits last dim K ≥ 1, got shape \[2,0\]\.$/);
    expect(() => fn(good as unknown as tf.Tensor, good)).toThrow(
      /^categoricalLogProb: expected logits dtype float32, got dtype int32\.$/,
    );
    tf.dispose([logits, scalar, good, wrongShape, floats, empty]);
  });
});

describe('categoricalSample', () => {
  it('is seeded, int32, shaped like the logits without the last axis', () => {
    tf.tidy(() => {
      const logits = tf.randomNormal([2, 3, 5], 0, 1, 'float32', 1);
      const a = categoricalSample(logits, { seed: 4 });
      const b = categoricalSample(logits, { seed: 4 });
      expect(a.shape).toEqual([2, 3]);
      expect(a.dtype).toBe('int32');
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      for (const v of a.dataSync()) expect(v >= 0 && v < 5).toBe(true);
      expect(categoricalSample(tf.tensor1d([0, 0, 9]), { seed: 1 }).shape).toEqual([]);
      // rows of a batch are drawn independently, even with a seed (tf.multinomial on cpu reuses one draw per row)
      const rows = categoricalSample(tf.zeros([64, 8]), { seed: 5 }).dataSync();
      expect(new Set(rows).size).toBeGreaterThan(4);
    });
  });

  it('draws with frequencies softmax(logits / temperature)', () => {
    tf.tidy(() => {
      const n = 4000;
      const row = [Math.log(0.2), Math.log(0.3), Math.log(0.5)];
      const logits = tf.tile(tf.tensor2d([row]), [n, 1]);
      const frequencies = (temperature: number) => {
        const draws = categoricalSample(logits, { seed: 3, temperature }).dataSync();
        const counts = [0, 0, 0];
        for (const v of draws) counts[v] = (counts[v] ?? 0) + 1;
        return counts.map((c) => c / n);
      };
      // temperature 1: p; temperature 0.5: p² normalised; sd of a frequency ≤ 0.008
      expectClose(frequencies(1), [0.2, 0.3, 0.5], 0.03);
      const squared = [0.04, 0.09, 0.25].map((v) => v / 0.38);
      expectClose(frequencies(0.5), squared, 0.03);
      // a very low temperature is argmax
      expect(new Set(categoricalSample(logits, { seed: 1, temperature: 1e-4 }).dataSync())).toEqual(new Set([2]));
    });
  });

  it('handles K = 1 and does not leak', async () => {
    const logits = tf.zeros([3, 1]);
    await expectNoLeak(() => {
      const sample = categoricalSample(logits, { seed: 1 });
      expect(Array.from(sample.dataSync())).toEqual([0, 0, 0]);
      return sample;
    });
    const more = tf.zeros([3, 4]);
    await expectNoLeak(() => categoricalSample(more, { seed: 1, temperature: 2 }));
    const indices = tf.zeros([3], 'int32');
    await expectNoLeak(() => categoricalLogProb(more, indices));
    tf.dispose([logits, more, indices]);
  });

  it('rejects bad options', () => {
    const logits = tf.zeros([2, 3]);
    expect(() => categoricalSample(logits, { temperature: 0 })).toThrow(
      /^categoricalSample: expected options\.temperature a finite number > 0, got 0\.$/,
    );
    expect(() => categoricalSample(logits, { temperature: Number.POSITIVE_INFINITY })).toThrow(
      /^categoricalSample: expected options\.temperature a finite number > 0, got Infinity\.$/,
    );
    expect(() => categoricalSample(logits, { seed: Number.NaN })).toThrow(
      /^categoricalSample: expected options\.seed a finite number or undefined, got NaN\.$/,
    );
    logits.dispose();
  });
});
