/** What `fit` takes: the options, their defaults, and the one place they are checked. */
import type * as tf from '@tensorflow/tfjs-core';
import {
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  ConfigError,
  describeValue,
  formatExpected,
  type Preview,
  type TrainableModel,
  type TrainBatch,
} from '@vaejs/core';
import type { BatchesConfig } from '@vaejs/datasets';
import type { Callback } from './callbacks';
import type { PauseSwitch, StopSignal } from './pause';
import type { RunStore } from './run-folder/store';

/** Optimizers `fit` builds by name (tfjs' own, with `learningRate`); or pass any `tf.Optimizer`. */
export const OPTIMIZER_NAMES = ['adam', 'rmsprop', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Where the global step and epoch stand, for `stepOptions`. */
export interface StepContext {
  step: number;
  epoch: number;
  stepsPerEpoch: number;
}

/** A function that draws the pictures of an epoch itself (a prior's samples decoded by its VQ-VAE, say). */
export type PreviewFunction = (
  model: TrainableModel,
  sample: TrainBatch,
  options: { seed: number; epoch: number },
) => Promise<Record<string, Preview>> | Record<string, Preview>;

/** The options of `fit`. Every field has a default. */
export interface FitOptions {
  /** Epochs to reach in all (a resumed run counts the epochs already done). Default 1. */
  epochs?: number;
  /** Items per training batch. Default 128. */
  batchSize?: number;
  /** Items per test batch. Default 500 (evaluation holds no gradients). */
  testBatchSize?: number;
  /** Seed of the batch order, the binarisation, and every step's seed (the VAE's ε). Default 0. */
  seed?: number;
  /**
   * 'adam' (default), 'rmsprop', 'sgd', or a `tf.Optimizer` of your own (`fit` then leaves it alive; with a runDir it
   * must support `getWeights`, which tfjs' Adamax, Adagrad and Adadelta do not).
   */
  optimizer?: OptimizerName | tf.Optimizer;
  /** Learning rate of a named optimizer. Default 0.001. */
  learningRate?: number;
  /**
   * How images become batches (`@vaejs/datasets`' `createBatches` options): binarisation and the denoising AE's
   * corruption. A dynamically binarised run is tested on one fixed Bernoulli draw per test image.
   */
  batches?: Pick<BatchesConfig, 'binarize' | 'staticBinarization' | 'threshold' | 'corruption'>;
  /** Extra options for each `trainStep` (a KL weight schedule: `({ step }) => ({ beta: schedule(step) })`). */
  stepOptions?: (context: StepContext) => Record<string, unknown>;
  /** Hooks called during training (see `Callback`); `earlyStopping()` is one. */
  callbacks?: Callback | Callback[];
  /** Stop with a one-line ValueError when a loss becomes NaN or infinite (checked at each read-back). Default true. */
  terminateOnNaN?: boolean;
  /** Read the running losses back every this many steps (NaN guard, `onBatchEnd` logs). Default 25. */
  logEvery?: number;
  /**
   * As Keras: 0 silent; 1 a live bar per epoch (loss, items/s, elapsed, ETA; on a terminal, else as 2) and the
   * epoch's line; 2 one line per epoch, on stderr (Node) or the console. 'auto' (default): 1 when stderr is a
   * terminal, else 2.
   */
  verbose?: 0 | 1 | 2 | 'auto';
  /**
   * Node only: a run folder for config.json, metrics.jsonl, pictures and atomic checkpoints (see `run-format`).
   * A new run needs a folder without checkpoints; `resume` continues one.
   */
  runDir?: string;
  /** Continue the run in `runDir` from its last checkpoint: true (a checkpoint must exist) or 'auto' (if one does). */
  resume?: boolean | 'auto';
  /** Also write a checkpoint every this many steps (0, default: at the end of each epoch only). */
  checkpointEvery?: number;
  /** Complete checkpoints kept (the newest ones). Default 2. */
  keepCheckpoints?: number;
  /** Pictures per epoch in `runDir`: true (default: the model's own `previews`), false, or your function. */
  previews?: boolean | PreviewFunction;
  /**
   * Node with a `runDir`: on SIGINT/SIGTERM, stop at the next step boundary, write a checkpoint of the step reached,
   * print one line, then let the signal end the process (exit 130/143). A second signal ends it at once. Default true.
   */
  handleSignals?: boolean;
  /** Anything of yours to keep in config.json under `app` (the CLI keeps its flags). */
  runInfo?: Record<string, unknown>;
  /** A label for metrics.jsonl's `backend` field. Default `tf.getBackend()`. */
  backendLabel?: string;
  /**
   * Stops training at the next step boundary once aborted (an `AbortController`'s signal): as a callback's `stop()`,
   * from outside. With a run folder, a stop in the middle of an epoch writes a checkpoint of the step reached.
   */
  signal?: StopSignal;
  /** Holds training between steps while paused (`createPauseSwitch()`). */
  pause?: PauseSwitch;
  /**
   * A run folder opened by you instead of `runDir`: in a browser, `openIndexedDbRun` (kept in IndexedDB) or
   * `openFilesRun` (in memory); `fit` writes it as a run folder on disk, continues its newest checkpoint when it has
   * one (its opener's `resume` decided whether it may), and leaves it open.
   */
  store?: RunStore;
}

/** FitOptions with defaults filled in. */
export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number;
  testBatchSize: number;
  seed: number;
  optimizer: OptimizerName | tf.Optimizer;
  learningRate: number;
  batches: NonNullable<FitOptions['batches']>;
  stepOptions: FitOptions['stepOptions'] | undefined;
  callbacks: Callback[];
  terminateOnNaN: boolean;
  logEvery: number;
  verbose: 0 | 1 | 2 | 'auto';
  runDir: string | undefined;
  resume: boolean | 'auto';
  checkpointEvery: number;
  keepCheckpoints: number;
  previews: boolean | PreviewFunction;
  handleSignals: boolean;
  runInfo: Record<string, unknown> | undefined;
  backendLabel: string | undefined;
  signal: StopSignal | undefined;
  pause: PauseSwitch | undefined;
  store: RunStore | undefined;
}

export const DEFAULT_FIT_OPTIONS = Object.freeze({
  epochs: 1,
  batchSize: 128,
  testBatchSize: 500,
  seed: 0,
  optimizer: 'adam' as OptimizerName,
  learningRate: 0.001,
  terminateOnNaN: true,
  logEvery: 25,
  verbose: 'auto' as 0 | 1 | 2 | 'auto',
  resume: false as boolean | 'auto',
  checkpointEvery: 0,
  keepCheckpoints: 2,
  previews: true as boolean,
  handleSignals: true,
});

const FN = 'fit';

/** Merges `options` over the defaults and checks every field: one line naming the option for each problem. */
export function resolveFitOptions(options: FitOptions = {}): ResolvedFitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(formatExpected(FN, 'options', 'an object', describeValue(options)));
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const merged = { ...DEFAULT_FIT_OPTIONS, ...defined } as FitOptions & typeof DEFAULT_FIT_OPTIONS;
  assertPositiveInt(FN, 'options.epochs', merged.epochs);
  assertPositiveInt(FN, 'options.batchSize', merged.batchSize);
  assertPositiveInt(FN, 'options.testBatchSize', merged.testBatchSize);
  assertPositiveInt(FN, 'options.logEvery', merged.logEvery);
  assertPositiveInt(FN, 'options.checkpointEvery', merged.checkpointEvery, 0);
  assertPositiveInt(FN, 'options.keepCheckpoints', merged.keepCheckpoints);
  if (!Number.isSafeInteger(merged.seed) || merged.seed < 0) {
    throw new ConfigError(formatExpected(FN, 'options.seed', 'an integer in [0, 2^53)', describeValue(merged.seed)));
  }
  assertNumberInRange(FN, 'options.learningRate', merged.learningRate, Number.MIN_VALUE, Number.MAX_VALUE);
  checkOptimizer(merged.optimizer);
  if (![0, 1, 2, 'auto'].includes(merged.verbose)) {
    throw new ConfigError(formatExpected(FN, 'options.verbose', "0, 1, 2 or 'auto'", describeValue(merged.verbose)));
  }
  if (merged.resume !== true && merged.resume !== false && merged.resume !== 'auto') {
    throw new ConfigError(formatExpected(FN, 'options.resume', "true, false or 'auto'", describeValue(merged.resume)));
  }
  if (
    merged.runDir !== undefined &&
    (typeof merged.runDir !== 'string' || merged.runDir === '' || merged.runDir.includes('\0'))
  ) {
    const shown = typeof merged.runDir === 'string' ? JSON.stringify(merged.runDir) : describeValue(merged.runDir);
    throw new ConfigError(formatExpected(FN, 'options.runDir', 'a folder path (no NUL character)', shown));
  }
  if (merged.resume !== false && merged.runDir === undefined && merged.store === undefined) {
    throw new ConfigError(formatExpected(FN, 'options.resume', 'options.runDir to resume from', 'no runDir'));
  }
  checkControls(merged);
  if (merged.stepOptions !== undefined && typeof merged.stepOptions !== 'function') {
    throw new ConfigError(formatExpected(FN, 'options.stepOptions', 'a function', describeValue(merged.stepOptions)));
  }
  if (typeof merged.previews !== 'boolean' && typeof merged.previews !== 'function') {
    throw new ConfigError(
      formatExpected(FN, 'options.previews', 'true, false or a function', describeValue(merged.previews)),
    );
  }
  const callbacks = checkCallbacks(merged.callbacks);
  return {
    epochs: merged.epochs,
    batchSize: merged.batchSize,
    testBatchSize: merged.testBatchSize,
    seed: merged.seed,
    optimizer: merged.optimizer,
    learningRate: merged.learningRate,
    batches: merged.batches ?? {},
    stepOptions: merged.stepOptions,
    callbacks,
    terminateOnNaN: merged.terminateOnNaN,
    logEvery: merged.logEvery,
    verbose: merged.verbose,
    runDir: merged.runDir,
    resume: merged.resume,
    checkpointEvery: merged.checkpointEvery,
    keepCheckpoints: merged.keepCheckpoints,
    previews: merged.previews,
    handleSignals: merged.handleSignals,
    runInfo: merged.runInfo,
    backendLabel: merged.backendLabel,
    signal: merged.signal,
    pause: merged.pause,
    store: merged.store,
  };
}

// helpers

/** A named optimizer, or any `tf.Optimizer`. */
function checkOptimizer(optimizer: unknown): void {
  if (typeof optimizer === 'string') {
    assertOneOf(FN, 'options.optimizer', optimizer, OPTIMIZER_NAMES);
  } else if (typeof (optimizer as Partial<tf.Optimizer> | null)?.minimize !== 'function') {
    const expected = `one of ${OPTIMIZER_NAMES.join(', ')} or a tf.Optimizer`;
    throw new ConfigError(formatExpected(FN, 'options.optimizer', expected, describeValue(optimizer)));
  }
}

/** `signal`, `pause` and `store`: each of the shape `fit` uses, and a store only without a `runDir`. */
function checkControls(options: FitOptions): void {
  const { signal, pause, store } = options;
  if (signal !== undefined && typeof (signal as Partial<StopSignal> | null)?.aborted !== 'boolean') {
    throw new ConfigError(formatExpected(FN, 'options.signal', 'an AbortSignal', describeValue(signal)));
  }
  if (pause !== undefined && typeof (pause as Partial<PauseSwitch> | null)?.whenResumed !== 'function') {
    throw new ConfigError(
      formatExpected(FN, 'options.pause', 'a pause switch (createPauseSwitch())', describeValue(pause)),
    );
  }
  if (store === undefined) return;
  if (typeof (store as Partial<RunStore> | null)?.writeCheckpoint !== 'function') {
    throw new ConfigError(
      formatExpected(FN, 'options.store', 'a run store (openIndexedDbRun, openFilesRun)', describeValue(store)),
    );
  }
  if (options.runDir !== undefined) {
    throw new ConfigError(formatExpected(FN, 'options.store', 'no runDir beside it (one run folder)', 'both'));
  }
}

/** The callbacks as a list, each an object of hooks. */
function checkCallbacks(given: FitOptions['callbacks']): Callback[] {
  const callbacks = given === undefined ? [] : ([] as Callback[]).concat(given);
  callbacks.forEach((callback, index) => {
    if (typeof callback !== 'object' || callback === null) {
      throw new ConfigError(
        formatExpected(FN, `options.callbacks[${index}]`, 'an object of hooks', describeValue(callback)),
      );
    }
  });
  return callbacks;
}
