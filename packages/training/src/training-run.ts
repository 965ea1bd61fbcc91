/**
 * One call of `fit` as its steps see it: the model, data, options, optimizer and seeded stream it trains with, where
 * it stands, and what asks it to stop. `fit.ts` makes it; `epoch.ts` trains it epoch by epoch.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng, TrainableModel, TrainBatch } from '@vaejs/core';
import type { FitContext, StopReason } from './callbacks';
import type { BatchPlan, FitDataset } from './data';
import { disposeOptimizerState, getOptimizerState } from './optimizer';
import type { ResolvedFitOptions } from './options';
import { checkpointInfo, type Position } from './run-folder/resume';
import type { FitHost, RunStore } from './run-folder/store';
import type { PartialEpoch } from './run-format';

export interface TrainingRun {
  readonly host: FitHost;
  /** The run folder, or null (no `runDir`). */
  readonly store: RunStore | null;
  readonly model: TrainableModel;
  /** The model's kind (`'vae'`): its checkpoints' kind. */
  readonly kind: string;
  readonly data: { train: FitDataset; test: FitDataset | null };
  readonly options: ResolvedFitOptions;
  readonly optimizer: tf.Optimizer;
  readonly rng: Rng;
  readonly stepsPerEpoch: number;
  /** How test batches are drawn: the training pipeline's test form, never shuffled. */
  readonly testPlan: { seed: number; pipeline: BatchPlan['pipeline'] };
  readonly position: Position;
  /** The first test items (up to 2,000), for `epochMetrics` and, of those, the pictures. */
  sample: TrainBatch | null;
  /** A SIGINT or SIGTERM received: training stops at the next step, with a checkpoint of it. */
  signal: 'SIGINT' | 'SIGTERM' | null;
  /** Set by a callback's `stop()` (or once stopped). */
  stopReason: StopReason | null;
  /** What every callback receives. */
  readonly context: FitContext;
}

/** True once a signal or a callback has asked training to stop. */
export function stopRequested(run: TrainingRun): boolean {
  return run.signal !== null || run.stopReason !== null;
}

/**
 * Writes a checkpoint of where the run stands (with a run folder): at the end of the current epoch, or, given the
 * epoch's running totals, in its middle, before `position.batch`.
 */
export async function saveCheckpoint(run: TrainingRun, partial?: PartialEpoch): Promise<void> {
  if (!run.store) return;
  const info = checkpointInfo(run.kind, run.position, run.rng, partial);
  const optimizerState = await getOptimizerState(run.optimizer);
  try {
    run.position.checkpoint = await run.store.writeCheckpoint(
      { info, saveModel: (io) => run.model.save(io), optimizerState },
      run.options.keepCheckpoints,
    );
  } finally {
    disposeOptimizerState(optimizerState);
  }
}
