/**
 * `fit(model, data, options)`: trains any model that implements `@vaejs/core`'s `TrainableModel` — epochs of seeded
 * batches, one `trainStep` per batch, the test loss after each epoch, callbacks, and, with a run folder, metrics,
 * pictures and atomic checkpoints from which a resumed run continues bit for bit. This file reads top-down: check the
 * inputs, open the run folder, resume or start, train epoch by epoch (`epoch.ts`), finish.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  createRng,
  describeValue,
  formatExpected,
  type ModelManifest,
  manifestKind,
  type TrainableModel,
} from '@vaejs/core';
import { type History, historyOf } from './callbacks';
import {
  checkFitData,
  disposeBatch,
  type FitData,
  type FitDataset,
  firstItems,
  stepsPerEpoch,
  testPipeline,
} from './data';
import { trainEpoch, wantsPictures } from './epoch';
import { createOptimizer } from './optimizer';
import { type FitOptions, type ResolvedFitOptions, resolveFitOptions } from './options';
import { progressBar } from './progress-bar';
import { type Position, resumeFrom, startPosition } from './run-folder/resume';
import { createRunConfig } from './run-folder/run-config';
import type { FitHost, RunStore } from './run-folder/store';
import type { TrainingRun } from './training-run';

/** Test items kept for the per-epoch figures (`epochMetrics`) and, of those, for the pictures. */
const METRICS_SAMPLE = 2000;

const FN = 'fit';

/** `fit` for one entry point (`host` brings the file system, signals and output, or none of them). */
export async function fitWith(
  host: FitHost,
  model: TrainableModel,
  data: FitData,
  options: FitOptions = {},
): Promise<History> {
  checkModel(model);
  if (training.has(model)) {
    const expected = 'a model no other fit is training';
    throw new ConfigError(formatExpected(FN, 'model', expected, 'one a fit still trains (await it first)'));
  }
  const resolved = withVerbosity(host, resolveFitOptions(options));
  const checked = checkFitData(data);
  if (resolved.runDir !== undefined && !host.openRun) {
    const expected = 'no run folder here (no file system: use callbacks)';
    throw new ConfigError(formatExpected(FN, 'options.runDir', expected, `'${resolved.runDir}'`));
  }
  training.add(model);
  try {
    // Before anything is written: the model must save (its manifest names its kind and config).
    const manifest = await describeModel(model);
    const opened = resolved.runDir !== undefined ? host.openRun!(resolved.runDir, { resume: resolved.resume }) : null;
    try {
      return await trainRun(host, resolved.store ?? opened, model, manifest, checked, resolved);
    } finally {
      opened?.close(); // a store the caller opened stays open
    }
  } finally {
    training.delete(model);
  }
}

/**
 * `verbose: 'auto'` made 1 on a terminal and 2 elsewhere; with 1 on a terminal, the live bar first among the callbacks
 * (its line is blanked before other callbacks print at an epoch's end).
 */
function withVerbosity(host: FitHost, options: ResolvedFitOptions): ResolvedFitOptions {
  const terminal = host.terminal?.();
  const tty = terminal?.isTTY === true;
  const verbose = options.verbose === 'auto' ? (tty ? 1 : 2) : options.verbose;
  const bar = verbose === 1 && tty && terminal ? [progressBar({ stream: terminal })] : [];
  return { ...options, verbose, callbacks: [...bar, ...options.callbacks] };
}

/** The models a call of `fit` trains now: a second call on one of them is refused (their steps would interleave). */
const training = new WeakSet<TrainableModel>();

// helpers

/** Starts or resumes the run, trains it epoch by epoch until `options.epochs` or a stop, and finishes it. */
async function trainRun(
  host: FitHost,
  store: RunStore | null,
  model: TrainableModel,
  manifest: ModelManifest,
  data: { train: FitDataset; test: FitDataset | null },
  options: ResolvedFitOptions,
): Promise<History> {
  const optimizer =
    typeof options.optimizer === 'string'
      ? createOptimizer(options.optimizer, options.learningRate)
      : options.optimizer;
  const rng = createRng(options.seed);
  const kind = manifestKind(manifest);
  let run: TrainingRun | null = null;
  let stopWatching = () => {};
  try {
    const steps = stepsPerEpoch(data.train, options.batchSize);
    const target = { model, kind, optimizer, rng, stepsPerEpoch: steps, items: data.train.size };
    const position = await startOrResume(store, options, target);
    if (position.epoch > options.epochs) return nothingToTrain(host, position, options);
    if (store) {
      const previous = position.checkpoint !== null ? store.readConfig() : null;
      store.writeConfig(createRunConfig(kind, manifest, data, options, previous));
      store.writeMetrics(position.records);
    }
    run = createRun({ host, store, model, kind, data, options, optimizer, rng, position });
    stopWatching = watchSignals(run);
    for (const callback of options.callbacks) await callback.onTrainBegin?.(run.context);
    run.sample = testSample(run);
    while (run.position.epoch <= options.epochs && run.stopReason === null) {
      if (!(await trainEpoch(run))) break;
    }
    return await finishRun(run, stopWatching);
  } finally {
    stopWatching();
    if (run?.sample) disposeBatch(run.sample);
    if (typeof options.optimizer === 'string') optimizer.dispose();
  }
}

/** A resumed run that has trained `options.epochs` already: its history, the folder left as it is. */
function nothingToTrain(host: FitHost, position: Position, options: ResolvedFitOptions): History {
  const at =
    position.batch > 0 ? `in epoch ${position.epoch} (step ${position.step})` : `at epoch ${position.epoch - 1}`;
  if (options.verbose) host.print(`fit: nothing to train: the run is ${at} and options.epochs is ${options.epochs}`);
  return historyOf(position.records, 'completed', position.checkpoint);
}

/** Where the run starts: its newest checkpoint, restored, when resuming one; else the beginning. */
async function startOrResume(
  store: RunStore | null,
  options: ResolvedFitOptions,
  target: Parameters<typeof resumeFrom>[1],
): Promise<Position> {
  // a store the caller opened was opened for a new run or a resume (openFilesRun checks which): its checkpoint counts
  const resuming = options.resume !== false || options.store !== undefined;
  const stored = store && resuming ? store.latestCheckpoint() : null;
  return stored ? await resumeFrom(stored, target) : startPosition();
}

/** The run of this call, at `position` (its start, or where its checkpoint stood). */
function createRun(
  parts: Omit<TrainingRun, 'sample' | 'signal' | 'stopReason' | 'context' | 'stepsPerEpoch' | 'testPlan'>,
): TrainingRun {
  const { options, position } = parts;
  const steps = stepsPerEpoch(parts.data.train, options.batchSize);
  const run: TrainingRun = {
    ...parts,
    stepsPerEpoch: steps,
    testPlan: { seed: options.seed, pipeline: testPipeline(options.batches) },
    sample: null,
    signal: null,
    stopReason: null,
    context: {
      epochs: options.epochs,
      stepsPerEpoch: steps,
      startEpoch: position.epoch,
      history: position.records,
      runDir: parts.store?.dir,
      stop(reason = 'stopped') {
        run.stopReason = reason;
      },
    },
  };
  return run;
}

/**
 * With a run folder: a SIGINT or SIGTERM stops the run at the next step, with a checkpoint. Returns the function that
 * stops watching (idempotent; a no-op when nothing is watched).
 */
function watchSignals(run: TrainingRun): () => void {
  if (!run.store || !run.options.handleSignals || !run.host.watchSignals) return () => {};
  let unwatch: (() => void) | null = run.host.watchSignals((received) => {
    run.signal = received;
  });
  return () => {
    unwatch?.();
    unwatch = null;
  };
}

/** The first test items, for the model's `epochMetrics` and for pictures (with a run folder); null when unused. */
function testSample(run: TrainingRun) {
  const { data, model, store, options } = run;
  const pictures = options.previews !== false && (store !== null || wantsPictures(options));
  if (!data.test || !(model.epochMetrics || pictures)) return null;
  return firstItems(data.test, METRICS_SAMPLE, { ...run.testPlan, epoch: 0, shuffle: false });
}

/** The history, `onTrainEnd`, and, after a signal, one line and the exit the signal asked for. */
async function finishRun(run: TrainingRun, stopWatching: () => void): Promise<History> {
  const { position, signal, store, host } = run;
  const history = historyOf(position.records, run.stopReason ?? 'completed', position.checkpoint);
  for (const callback of run.options.callbacks) await callback.onTrainEnd?.(history, run.context);
  if (signal && store) {
    const where =
      position.batch > 0
        ? `at epoch ${position.epoch}, step ${position.step}`
        : `after epoch ${position.records.at(-1)?.epoch ?? 0}, step ${position.step}`;
    host.print(`${signal}: stopped ${where}; checkpoint ${position.checkpoint ?? 'none'} (resume continues from it)`);
    stopWatching();
    store.close();
    host.exitWithSignal?.(signal);
  }
  return history;
}

function checkModel(model: unknown): asserts model is TrainableModel {
  const candidate = model as Record<string, unknown> | null;
  const missing = ['trainStep', 'lossParts', 'save', 'restore', 'dispose'].find(
    (method) => typeof candidate?.[method] !== 'function',
  );
  if (missing !== undefined) {
    const expected = `a vaejs model (createVae, createVqVae, createPixelCnn: no '${missing}')`;
    throw new ConfigError(formatExpected(FN, 'model', expected, describeValue(model)));
  }
}

/**
 * Runs the manifest of `model` through a handler that keeps nothing: its kind and config, and a check that it saves
 * (a disposed model does not: one line says so, rather than tfjs' words about a variable).
 */
async function describeModel(model: TrainableModel): Promise<ModelManifest> {
  try {
    return await model.save(() =>
      tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    );
  } catch (error) {
    if (!/\b(is|already) disposed\b/.test((error as Error)?.message ?? '')) throw error;
    const actual = 'one whose dispose() was called (create or load it again)';
    throw new ConfigError(formatExpected(FN, 'model', 'a model that is not disposed', actual));
  }
}
