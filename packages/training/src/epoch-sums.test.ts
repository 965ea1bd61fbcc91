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
});
