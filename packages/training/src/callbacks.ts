/** Hooks into `fit`, as Keras' callbacks: epoch and batch hooks, and a way to stop. */
import {
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  ConfigError,
  describeValue,
  formatExpected,
} from '@vaejs/core';
import type { PreviewPicture } from './preview-pictures';
import type { EpochRecord } from './run-format';

/** Why `fit` stopped. */
export type StopReason = 'completed' | 'early-stopping' | 'stopped' | 'SIGINT' | 'SIGTERM';

/** What every hook receives: where the run stands, and `stop()` to end it after the current epoch (or step). */
export interface FitContext {
  /** Epochs to reach in all. */
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** The first epoch this call trains (> 1 when resumed). */
  readonly startEpoch: number;
  /** Records of the epochs completed so far (including those of a resumed run's earlier processes). */
  readonly history: readonly EpochRecord[];
  /** The run folder, when there is one. */
  readonly runDir: string | undefined;
  /** Ends training: from `onEpochEnd`, after that epoch; from `onBatchEnd`, after that step (then at the epoch's end). */
  stop(reason?: StopReason): void;
}

/** What `onBatchEnd` receives after every step. */
export interface BatchLogs {
  epoch: number;
  /** The batch's index in its epoch, 0-based. */
  batch: number;
  /** Global steps done, this one included. */
  step: number;
  /** Items in the batch. */
  size: number;
  /**
   * The epoch's running means of the loss parts (`loss`, then the model's parts), present only at read-backs (every
   * `logEvery` steps and at the epoch's last step): reading a loss back every step would stall the backend.
   */
  means?: Record<string, number>;
  /** Training items per second so far in the epoch, at read-backs. */
  itemsPerSecond?: number;
  /**
   * This step's own loss parts (`loss`, then the model's parts, named as `means`), present at read-backs: with
   * `logEvery: 1`, every step — the points of a live loss curve.
   */
  losses?: Record<string, number>;
}

/** Keras-style hooks; each may be async. All optional. */
export interface Callback {
  onTrainBegin?(context: FitContext): void | Promise<void>;
  onEpochBegin?(epoch: number, context: FitContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, context: FitContext): void | Promise<void>;
  /**
   * After the epoch's test loss, with its pictures read back as plain data (the model's own `previews`, or
   * `options.previews` when a function): from the first test items, so the same items every epoch. Asking for them is
   * what makes `fit` draw them without a run folder.
   */
  onPreviews?(epoch: number, pictures: Record<string, PreviewPicture>, context: FitContext): void | Promise<void>;
  /** After the epoch's test loss, pictures and checkpoint. */
  onEpochEnd?(record: EpochRecord, context: FitContext): void | Promise<void>;
  onTrainEnd?(history: History, context: FitContext): void | Promise<void>;
}

/** What `fit` returns. */
export interface History {
  /** One record per epoch completed, as in metrics.jsonl (a resumed run's earlier epochs included). */
  records: EpochRecord[];
  /** The same by metric: `history.test_loss[i]` is the test loss of `epochs[i]` (Keras' `history.history`). */
  history: Record<string, number[]>;
  epochs: number[];
  stopReason: StopReason;
  /** The newest checkpoint folder written, or null (no runDir). */
  checkpoint: string | null;
}

/** Builds the History of a list of records. */
export function historyOf(records: EpochRecord[], stopReason: StopReason, checkpoint: string | null): History {
  const history: Record<string, number[]> = {};
  for (const record of records) {
    for (const [name, value] of Object.entries(record)) {
      if (typeof value !== 'number' || name === 'epoch') continue;
      const series = history[name] ?? [];
      series.push(value);
      history[name] = series;
    }
  }
  return { records, history, epochs: records.map((record) => record.epoch), stopReason, checkpoint };
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** The metrics.jsonl field to watch. Default 'test_loss'. */
  monitor?: string;
  /** Epochs without improvement to wait before stopping. Default 0. */
  patience?: number;
  /** The smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** 'min' (default): lower is better; 'max': higher is better. */
  mode?: 'min' | 'max';
}

/**
 * Stops training when `monitor` has not improved by `minDelta` for `patience` epochs (Keras' EarlyStopping). A resumed
 * run counts the epochs of its history, so resuming does not reset the patience.
 * @example
 * await fit(vae, data, { epochs: 50, callbacks: [earlyStopping({ patience: 3 })] });
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const fn = 'earlyStopping';
  const monitor = options.monitor ?? 'test_loss';
  const patience = options.patience ?? 0;
  const minDelta = options.minDelta ?? 0;
  const mode = options.mode ?? 'min';
  if (typeof monitor !== 'string' || monitor === '') {
    throw new ConfigError(formatExpected(fn, 'options.monitor', 'a metric name', describeValue(monitor)));
  }
  assertPositiveInt(fn, 'options.patience', patience, 0);
  assertNumberInRange(fn, 'options.minDelta', minDelta, 0, Number.MAX_VALUE);
  assertOneOf(fn, 'options.mode', mode, ['min', 'max']);
  const better = (value: number, best: number) => (mode === 'min' ? value < best - minDelta : value > best + minDelta);
  let best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  let wait = 0;
  const observe = (record: EpochRecord): boolean => {
    const value = record[monitor];
    if (typeof value !== 'number') {
      throw new ConfigError(
        formatExpected(
          fn,
          'options.monitor',
          `a numeric field of metrics.jsonl (${Object.keys(record).join(', ')})`,
          `'${monitor}'`,
        ),
      );
    }
    if (better(value, best)) {
      best = value;
      wait = 0;
      return false;
    }
    wait++;
    return wait >= patience;
  };
  return {
    onTrainBegin(context) {
      best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      wait = 0;
      for (const record of context.history) observe(record);
    },
    onEpochEnd(record, context) {
      if (observe(record)) context.stop('early-stopping');
    },
  };
}
