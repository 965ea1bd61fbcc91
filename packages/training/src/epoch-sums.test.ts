import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { partialOf, readTotals, startTotals } from './epoch-sums';

describe('epoch totals', () => {
  it('sum each part weighted by its batch size, read back as running means, and continue a partial epoch', async () => {
    await expectNoLeak(async () => {
      const totals = startTotals(null);
      totals.sums.add({ loss: tf.scalar(2), kl: tf.scalar(1) }, 4);
      totals.sums.add({ loss: tf.scalar(5), kl: tf.scalar(0) }, 2);
      totals.seen = 6;
      totals.seconds = 0.5;
      await readTotals(totals);
      expect(totals.means).toEqual({ loss: 3, kl: 4 / 6 });
      const partial = partialOf(totals);
      expect(partial).toEqual({ sums: { loss: 18, kl: 4 }, seen: 6, seconds: 0.5 });
      totals.sums.dispose();
      const resumed = startTotals(partial);
      resumed.sums.add({ loss: tf.scalar(0), kl: tf.scalar(0) }, 2);
      resumed.seen += 2;
      await readTotals(resumed);
      expect(resumed.means).toEqual({ loss: 18 / 8, kl: 4 / 8 });
      resumed.sums.dispose();
    });
  });

  it('adds a step in float32 exactly as a sum per part would, and takes a part that appears later', async () => {
    await expectNoLeak(async () => {
      const totals = startTotals({ sums: { loss: 0.1 }, seen: 0, seconds: 0 });
      const expected = { loss: Math.fround(0.1), kl: 0 };
      const draws = [0.7310586, 1e-3, 123.456, 9.87654321, 0.3333333];
      draws.forEach((value, i) => {
        const size = i === draws.length - 1 ? 37 : 128;
        const parts: Record<string, tf.Scalar> = { loss: tf.scalar(value) };
        if (i >= 2) parts.kl = tf.scalar(value / 3);
        totals.sums.add(parts, size);
        expected.loss = Math.fround(expected.loss + Math.fround(Math.fround(value) * size));
        if (i >= 2) expected.kl = Math.fround(expected.kl + Math.fround(Math.fround(value / 3) * size));
      });
      totals.seen = 4 * 128 + 37;
      await readTotals(totals);
      expect(totals.read).toEqual(expected);
      totals.sums.dispose();
    });
  });
});
