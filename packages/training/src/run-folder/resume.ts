/**
 * Resume: what a checkpoint holds beside the weights so that a run continues bit for bit — where the run stood (epoch,
 * batch, global step), its history, the seeded stream and, written mid-epoch, the epoch's running sums — written by
 * {@link checkpointInfo} and read back by {@link resumeFrom}. The model restores its own weights and checks that the
 * checkpoint's config is its own (`model.restore`); the kind is checked here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError, formatExpected, type Rng, type TrainableModel } from '@vaejs/core';
import { setOptimizerState } from '../optimizer';
import { CHECKPOINT_FORMAT, type CheckpointInfo, type EpochRecord, type PartialEpoch } from '../run-format';
import type { StoredCheckpoint } from './store';

/** Where a run stands. */
export interface Position {
  /** The epoch to train next (or in progress). */
  epoch: number;
  /** The next batch of `epoch`: 0 at an epoch's start. */
  batch: number;
  /** Steps trained in all. */
  step: number;
  /** A record per completed epoch (metrics.jsonl). */
  records: EpochRecord[];
  /** The running totals `epoch` resumes from, when a mid-epoch checkpoint was resumed. */
  partial: PartialEpoch | null;
  /** The newest checkpoint written or resumed from. */
  checkpoint: string | null;
}

/** The position of a new run. */
export function startPosition(): Position {
  return { epoch: 1, batch: 0, step: 0, records: [], partial: null, checkpoint: null };
}

/**
 * Restores a checkpoint into a run: the model's weights and state (`model.restore`, which refuses another config),
 * the optimizer's slots, the seeded stream; returns where the run stood. A mid-epoch checkpoint must stand inside an
 * epoch of this run's data (`batch` below its batches, `state.partial.seen` below its items).
 * @throws ConfigError when the checkpoint is of another kind than the model; CheckpointError for a position outside
 *   the data
 */
export async function resumeFrom(
  stored: StoredCheckpoint,
  run: { model: TrainableModel; kind: string; optimizer: tf.Optimizer; rng: Rng; stepsPerEpoch: number; items: number },
): Promise<Position> {
  const { info } = stored;
  if (info.kind !== run.kind) {
    throw new ConfigError(
      formatExpected('fit', 'model', `a ${info.kind} (the run's checkpoint ${stored.location})`, `a ${run.kind}`),
    );
  }
  checkPosition(stored, run.stepsPerEpoch, run.items);
  await run.model.restore(stored.manifest, stored.io);
  const state = stored.readOptimizerState();
  try {
    await setOptimizerState(run.optimizer, state);
  } finally {
    tf.dispose(state.map((slot) => slot.tensor));
  }
  if (info.state.rng) run.rng.setState(info.state.rng);
  const midEpoch = info.batch !== undefined && info.batch > 0;
  return {
    epoch: midEpoch ? info.epoch : info.epoch + 1,
    batch: midEpoch ? (info.batch as number) : 0,
    step: info.step,
    records: [...(info.state.history ?? [])],
    partial: midEpoch ? (info.state.partial ?? null) : null,
    checkpoint: stored.location,
  };
}

/** A mid-epoch checkpoint's batch and items seen must lie inside an epoch of the data resumed on. */
function checkPosition(stored: StoredCheckpoint, stepsPerEpoch: number, items: number): void {
  const { batch, state } = stored.info;
  const where = `${stored.location}/checkpoint.json`;
  if (batch !== undefined && batch >= stepsPerEpoch) {
    throw new CheckpointError(
      formatExpected(
        'fit',
        `${where} batch`,
        `an integer below ${stepsPerEpoch} (the batches of an epoch of this data)`,
        String(batch),
      ),
    );
  }
  const seen = state.partial?.seen;
  if (seen !== undefined && seen > items) {
    throw new CheckpointError(
      formatExpected('fit', `${where} state.partial.seen`, `at most ${items} (the items of this data)`, String(seen)),
    );
  }
}

/**
 * `checkpoint.json` of a run at `position`: at the end of `position.epoch` (no `partial`), or in the middle of it,
 * before batch `position.batch`, with the epoch's running totals.
 */
export function checkpointInfo(kind: string, position: Position, rng: Rng, partial?: PartialEpoch): CheckpointInfo {
  return {
    format: CHECKPOINT_FORMAT,
    version: 1,
    kind,
    epoch: position.epoch,
    step: position.step,
    ...(partial ? { batch: position.batch } : {}),
    state: { rng: rng.getState(), history: position.records, ...(partial ? { partial } : {}) },
  };
}

/**
 * True when a run whose newest checkpoint is `info` has nothing left to train to `epochs` epochs in all: a checkpoint
 * written at the end of epoch `epochs` or later, or in the middle of a later epoch (`epochs` were done before it).
 */
export function hasReachedEpochs(info: CheckpointInfo | null, epochs: number): boolean {
  if (info === null) return false;
  const midEpoch = info.batch !== undefined && info.batch > 0;
  return midEpoch ? info.epoch > epochs : info.epoch >= epochs;
}
