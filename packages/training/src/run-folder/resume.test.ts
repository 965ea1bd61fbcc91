import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { createTinyModel } from '../__fixtures__/tiny-model';
import type { CheckpointInfo } from '../run-format';
import { checkpointInfo, hasReachedEpochs, resumeFrom, startPosition } from './resume';
import type { StoredCheckpoint } from './store';

describe('checkpointInfo and resumeFrom', () => {
  it('write where a run stands and read it back: an epoch end moves on, a mid-epoch keeps its batch and sums', async () => {
    const rng = createRng(3);
    rng.nextSeed();
    const position = { ...startPosition(), epoch: 2, batch: 5, step: 17 };
    const partial = { sums: { loss: 12.5 }, seen: 40, seconds: 1.5 };
    const middle = checkpointInfo('tiny', position, rng, partial);
    expect(middle).toEqual({
      format: 'vaejs-checkpoint',
      version: 1,
      kind: 'tiny',
      epoch: 2,
      step: 17,
      batch: 5,
      state: { rng: rng.getState(), history: [], partial },
    });
    const end = checkpointInfo('tiny', position, rng);
    expect('batch' in end || 'partial' in end.state).toBe(false);
    const model = createTinyModel();
    const optimizer = tf.train.sgd(0.01);
    const stored = (info: CheckpointInfo): StoredCheckpoint => ({
      location: 'run/checkpoints/x',
      info,
      manifest: { format: 'vaejs-tiny', version: 1, parts: [], config: {} },
      io: () => ({}),
      readOptimizerState: () => [{ name: 'iter', tensor: tf.scalar(7) }],
    });
    model.restore = async () => {};
    const other = createRng(99);
    const run = { stepsPerEpoch: 8, items: 64 };
    const resumed = await resumeFrom(stored(middle), { model, kind: 'tiny', optimizer, rng: other, ...run });
    expect(resumed).toEqual({ epoch: 2, batch: 5, step: 17, records: [], partial, checkpoint: 'run/checkpoints/x' });
    expect(other.getState()).toEqual(rng.getState());
    expect(optimizer.iterations).toBe(7);
    expect(await resumeFrom(stored(end), { model, kind: 'tiny', optimizer, rng: other, ...run })).toMatchObject({
      epoch: 3,
      batch: 0,
      partial: null,
    });
    await expect(resumeFrom(stored(end), { model, kind: 'vae', optimizer, rng, ...run })).rejects.toThrow(
      /^fit: expected model a tiny \(the run's checkpoint run\/checkpoints\/x\), got a vae\.$/,
    );
    // a position outside an epoch of the data: refused before anything is restored, naming the field
    const target = { model, kind: 'tiny', optimizer, rng: other, ...run };
    await expect(resumeFrom(stored({ ...middle, batch: 8 }), target)).rejects.toThrow(
      /^fit: expected run\/checkpoints\/x\/checkpoint\.json batch an integer below 8 \(the batches of an epoch of this data\), got 8\.$/,
    );
    const tooMany = { ...middle, state: { ...middle.state, partial: { ...partial, seen: 65 } } };
    await expect(resumeFrom(stored(tooMany), target)).rejects.toThrow(
      /^fit: expected run\/checkpoints\/x\/checkpoint\.json state\.partial\.seen at most 64 \(the items of this data\), got 65\.$/,
    );
    model.dispose();
    optimizer.dispose();
  });
});

describe('hasReachedEpochs', () => {
  const info = (epoch: number, batch?: number) =>
    ({
      format: 'vaejs-checkpoint',
      version: 1,
      kind: 'vae',
      epoch,
      step: 1,
      ...(batch ? { batch } : {}),
      state: {},
    }) as CheckpointInfo;
  it('is true at the end of the epochs asked for or later, or in the middle of a later epoch; false otherwise', () => {
    expect(hasReachedEpochs(info(3), 3)).toBe(true);
    expect(hasReachedEpochs(info(4), 3)).toBe(true);
    expect(hasReachedEpochs(info(2), 3)).toBe(false);
    expect(hasReachedEpochs(info(3, 2), 3)).toBe(false);
    // in the middle of epoch 3: epochs 1 and 2 are done, so --epochs 1 or 2 has nothing left to train
    expect(hasReachedEpochs(info(3, 2), 2)).toBe(true);
    expect(hasReachedEpochs(info(3, 2), 1)).toBe(true);
    expect(hasReachedEpochs(null, 1)).toBe(false);
  });
});
