// @vaejs/training, browser-safe entry: fit with callbacks (no run folder), evaluate, the run-folder format and the
// HTTP IO handler that the browser demo reads checkpoints with. Node resolves the package to index.node.ts, which
// adds run folders and file IO.
import type { TrainableModel } from '@vaejs/core';
import type { History } from './callbacks';
import type { FitData } from './data';
import { fitWith } from './fit';
import type { FitOptions } from './options';
import type { FitHost } from './run-store';

export {
  type BatchLogs,
  type Callback,
  type EarlyStoppingOptions,
  earlyStopping,
  type FitContext,
  type History,
  type StopReason,
} from './callbacks';
export type { FitData, FitDataset } from './data';
export { type EvaluateOptions, evaluate } from './evaluate';
export { type HttpFetcher, httpIO } from './http-io';
export {
  createOptimizer,
  disposeOptimizerState,
  getOptimizerState,
  type NamedTensor,
  setOptimizerState,
} from './optimizer';
export {
  DEFAULT_FIT_OPTIONS,
  type FitOptions,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type PreviewFunction,
  type ResolvedFitOptions,
  resolveFitOptions,
  type StepContext,
} from './options';
export type { CheckpointInfo, EpochRecord, RunConfig } from './run-format';
export * as runFormat from './run-format';

const browserHost: FitHost = {
  memory: () => ({ tensor_mb: 0 }),
  print: (line) => console.log(line),
  yieldToEventLoop: () => new Promise((resolve) => setTimeout(resolve, 0)),
};

/**
 * Trains `model` on `data.train` for `options.epochs` epochs (see FitOptions), scoring `data.test` after each, and
 * returns the history. In a browser there is no run folder: follow training with `callbacks`, and save the model
 * with tfjs' own handlers (`model.save(() => tf.io.browserLocalStorage(...))`).
 */
export function fit(model: TrainableModel, data: FitData, options: FitOptions = {}): Promise<History> {
  return fitWith(browserHost, model, data, options);
}
