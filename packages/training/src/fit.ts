/**
 * `fit(model, data, options)`: trains any model that implements `@vaejs/core`'s `TrainableModel` — epochs of seeded
 * batches, one `trainStep` per batch, the test loss after each epoch, callbacks, and, with a run folder, metrics,
 * pictures and atomic checkpoints from which a resumed run continues bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  createRng,
  describeValue,
  formatExpected,
  type ModelManifest,
  manifestKind,
  type Preview,
  type TrainableModel,
  type TrainBatch,
  ValueError,
} from '@vaejs/core';
import { type FitContext, type History, historyOf, type StopReason } from './callbacks';
import {
  type BatchPlan,
  checkFitData,
  disposeBatch,
  epochBatches,
  type FitData,
  firstItems,
  sliceBatch,
  stepsPerEpoch,
  testPipeline,
} from './data';
import { meanLossParts } from './evaluate';
import { createOptimizer, disposeOptimizerState, getOptimizerState, setOptimizerState } from './optimizer';
import { type FitOptions, type ResolvedFitOptions, resolveFitOptions } from './options';
import { CHECKPOINT_FORMAT, type CheckpointInfo, type EpochRecord, RUN_FORMAT, type RunConfig } from './run-format';
import type { FitHost, RunStore } from './run-store';

/** Test items kept for the per-epoch figures (`epochMetrics`) and, of those, for the pictures. */
const METRICS_SAMPLE = 2000;
const PREVIEW_SAMPLE = 32;

const FN = 'fit';

function checkModel(model: unknown): asserts model is TrainableModel {
  const candidate = model as Partial<TrainableModel> | null;
  const missing = ['trainStep', 'lossParts', 'save', 'restore', 'dispose'].find(
    (method) => typeof (candidate as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing !== undefined) {
    throw new ConfigError(
      formatExpected(
        FN,
        'model',
        `a vaejs model (createVae, createVqVae, createPixelCnn: no '${missing}')`,
        describeValue(model),
      ),
    );
  }
}

/** Runs the manifest of `model` through a handler that keeps nothing: its kind and config, and a check that it saves. */
async function describeModel(model: TrainableModel): Promise<ModelManifest> {
  return model.save(() =>
    tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
  );
}

/** The running sums of an epoch's loss parts, kept on the backend (one read-back every `logEvery` steps). */
class EpochSums {
  private readonly sums: Record<string, tf.Scalar> = {};

  constructor(initial?: Record<string, number>) {
    for (const [name, value] of Object.entries(initial ?? {})) this.sums[name] = tf.scalar(value);
  }

  /** Adds `size ×` each part, and disposes the parts. */
  add(parts: Record<string, tf.Scalar>, size: number): void {
    for (const [name, value] of Object.entries(parts)) {
      const weighted = tf.tidy(() => tf.mul(value, size) as tf.Scalar);
      const previous = this.sums[name];
      if (previous) {
        this.sums[name] = tf.tidy(() => tf.add(previous, weighted) as tf.Scalar);
        previous.dispose();
        weighted.dispose();
      } else {
        this.sums[name] = weighted;
      }
      value.dispose();
    }
  }

  async read(): Promise<Record<string, number>> {
    const names = Object.keys(this.sums);
    const values = await Promise.all(names.map((name) => (this.sums[name] as tf.Scalar).data()));
    return Object.fromEntries(names.map((name, i) => [name, values[i]?.[0] ?? Number.NaN]));
  }

  dispose(): void {
    tf.dispose(Object.values(this.sums));
  }
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1000 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(2) : value.toFixed(4);
}

/** The metric name a loss part gets in metrics.jsonl: `reconstruction` → `recon`, as the run format names it. */
function metricName(part: string): string {
  return part === 'reconstruction' ? 'recon' : part;
}

/** `fit` for one entry point (`host` brings the file system, signals and output, or none of them). */
export async function fitWith(
  host: FitHost,
  model: TrainableModel,
  data: FitData,
  options: FitOptions = {},
): Promise<History> {
  checkModel(model);
  const resolved = resolveFitOptions(options);
  const { train, test } = checkFitData(data);
  if (resolved.runDir !== undefined && !host.openRun) {
    throw new ConfigError(
      formatExpected(
        FN,
        'options.runDir',
        'no run folder here (no file system: use callbacks)',
        `'${resolved.runDir}'`,
      ),
    );
  }
  // Before anything is written: the model must save (its manifest names its kind and config).
  const manifest = await describeModel(model);
  const store = resolved.runDir !== undefined ? host.openRun!(resolved.runDir, { resume: resolved.resume }) : null;
  try {
    return await trainRun(host, store, model, manifest, { train, test }, resolved);
  } finally {
    store?.close();
  }
}

interface Position {
  epoch: number;
  batch: number;
  step: number;
  records: EpochRecord[];
  partial: NonNullable<CheckpointInfo['state']['partial']> | null;
  checkpoint: string | null;
}

async function trainRun(
  host: FitHost,
  store: RunStore | null,
  model: TrainableModel,
  manifest: ModelManifest,
  data: { train: FitData['train']; test: FitData['test'] | null },
  options: ResolvedFitOptions,
): Promise<History> {
  const kind = manifestKind(manifest);
  const ownsOptimizer = typeof options.optimizer === 'string';
  const optimizer =
    typeof options.optimizer === 'string'
      ? createOptimizer(options.optimizer, options.learningRate)
      : options.optimizer;
  const rng = createRng(options.seed);
  const steps = stepsPerEpoch(data.train, options.batchSize);
  const position: Position = { epoch: 1, batch: 0, step: 0, records: [], partial: null, checkpoint: null };
  const testPlan = { seed: options.seed, pipeline: testPipeline(options.batches) };
  let sample: TrainBatch | null = null;
  let unwatch: (() => void) | null = null;
  try {
    const stored = store && options.resume !== false ? store.latestCheckpoint() : null;
    if (stored) {
      if (stored.info.kind !== kind) {
        throw new ConfigError(
          formatExpected(FN, 'model', `a ${stored.info.kind} (the run's checkpoint ${stored.location})`, `a ${kind}`),
        );
      }
      await model.restore(stored.manifest, stored.io);
      const state = stored.readOptimizerState();
      try {
        await setOptimizerState(optimizer, state);
      } finally {
        tf.dispose(state.map((slot) => slot.tensor));
      }
      const { info } = stored;
      if (info.state.rng) rng.setState(info.state.rng);
      position.records = [...(info.state.history ?? [])];
      position.step = info.step;
      position.checkpoint = stored.location;
      if (info.batch !== undefined && info.batch > 0) {
        position.epoch = info.epoch;
        position.batch = info.batch;
        position.partial = info.state.partial ?? null;
      } else {
        position.epoch = info.epoch + 1;
      }
    }
    if (store) writeRunConfig(store, kind, manifest, data, options, stored !== null);
    store?.writeMetrics(position.records);

    let stopReason: StopReason | null = null;
    let signal: 'SIGINT' | 'SIGTERM' | null = null;
    const context: FitContext = {
      epochs: options.epochs,
      stepsPerEpoch: steps,
      startEpoch: position.epoch,
      history: position.records,
      runDir: store?.dir,
      stop(reason = 'stopped') {
        stopReason = reason;
      },
    };
    if (store && options.handleSignals && host.watchSignals) {
      unwatch = host.watchSignals((received) => {
        signal = received;
      });
    }
    for (const callback of options.callbacks) await callback.onTrainBegin?.(context);
    if (data.test && (model.epochMetrics || (store && options.previews !== false))) {
      sample = firstItems(data.test, METRICS_SAMPLE, { ...testPlan, epoch: 0, shuffle: false });
    }

    const writeCheckpoint = async (info: CheckpointInfo): Promise<void> => {
      if (!store) return;
      const optimizerState = await getOptimizerState(optimizer);
      try {
        position.checkpoint = await store.writeCheckpoint(
          { info, saveModel: (io) => model.save(io), optimizerState },
          options.keepCheckpoints,
        );
      } finally {
        disposeOptimizerState(optimizerState);
      }
    };

    for (; position.epoch <= options.epochs && stopReason === null; position.epoch++) {
      const epoch = position.epoch;
      for (const callback of options.callbacks) await callback.onEpochBegin?.(epoch, context);
      const plan: BatchPlan = {
        batchSize: options.batchSize,
        seed: options.seed,
        epoch,
        shuffle: true,
        pipeline: options.batches,
      };
      const batches = epochBatches(data.train, plan);
      const sums = new EpochSums(position.partial?.sums);
      let seen = position.partial?.seen ?? 0;
      let seconds = position.partial?.seconds ?? 0;
      position.partial = null;
      let rawSums: Record<string, number> = {};
      let means: Record<string, number> = {};
      let interrupted = false;
      try {
        for (let index = position.batch; index < batches.numBatches; index++) {
          const started = performance.now();
          const batch = batches.batch(index);
          const size = batch.x.shape[0] ?? 0;
          try {
            const extra = options.stepOptions?.({ step: position.step, epoch, stepsPerEpoch: steps }) ?? {};
            sums.add(model.trainStep(optimizer, batch, { ...extra, seed: rng.nextSeed(), step: position.step }), size);
          } finally {
            disposeBatch(batch);
          }
          seen += size;
          position.step++;
          const last = index === batches.numBatches - 1;
          const checkpointDue = options.checkpointEvery > 0 && position.step % options.checkpointEvery === 0;
          const stopping = signal !== null || stopReason !== null;
          const readBack = (index + 1) % options.logEvery === 0 || last || checkpointDue || stopping;
          if (readBack) {
            rawSums = await sums.read();
            means = Object.fromEntries(Object.entries(rawSums).map(([name, sum]) => [name, sum / seen]));
            if (options.terminateOnNaN) checkFinite(means, epoch, position);
            await host.yieldToEventLoop();
          }
          seconds += (performance.now() - started) / 1000;
          if (options.callbacks.some((callback) => callback.onBatchEnd)) {
            const logs = {
              epoch,
              batch: index,
              step: position.step,
              size,
              ...(readBack ? { means: displayed(means), itemsPerSecond: seen / Math.max(seconds, 1e-9) } : {}),
            };
            for (const callback of options.callbacks) await callback.onBatchEnd?.(logs, context);
          }
          const stopNow = signal !== null || stopReason !== null;
          if (!last && (checkpointDue || stopNow)) {
            if (!readBack) {
              rawSums = await sums.read();
              means = Object.fromEntries(Object.entries(rawSums).map(([name, sum]) => [name, sum / seen]));
            }
            await writeCheckpoint({
              format: CHECKPOINT_FORMAT,
              version: 1,
              kind,
              epoch,
              step: position.step,
              batch: index + 1,
              state: {
                rng: rng.getState(),
                history: position.records,
                partial: { sums: rawSums, seen, seconds },
              },
            });
          }
          if (stopNow && !last) {
            interrupted = true;
            position.batch = index + 1;
            break;
          }
        }
      } finally {
        sums.dispose();
      }
      if (interrupted) {
        stopReason = signal ?? stopReason ?? 'stopped';
        break;
      }
      position.batch = 0;
      const testMeans = data.test
        ? await meanLossParts(model, data.test, { batchSize: options.testBatchSize, ...testPlan })
        : {};
      const figures = model.epochMetrics && sample ? await model.epochMetrics(sample) : {};
      const record: EpochRecord = {
        epoch,
        train_loss: means.loss ?? Number.NaN,
        test_loss: testMeans.loss ?? Number.NaN,
        ...prefixed('', means),
        ...prefixed('test_', testMeans),
        ...prefixed('test_', figures),
        images_per_sec: seen / Math.max(seconds, 1e-9),
        seconds,
        ...host.memory(),
        backend: options.backendLabel ?? tf.getBackend(),
      };
      if (store && options.previews !== false && sample) {
        await writePreviews(store, model, sample, epoch, options);
      }
      position.records.push(record);
      store?.appendMetrics(record);
      await writeCheckpoint({
        format: CHECKPOINT_FORMAT,
        version: 1,
        kind,
        epoch,
        step: position.step,
        state: { rng: rng.getState(), history: position.records },
      });
      store?.writeLossChart(position.records);
      for (const callback of options.callbacks) await callback.onEpochEnd?.(record, context);
      if (options.verbose) {
        const testPart = data.test ? `  test ${formatNumber(record.test_loss)}` : '';
        host.print(
          `epoch ${epoch}/${options.epochs}: train ${formatNumber(record.train_loss)}${testPart}  ${formatNumber(record.images_per_sec)} items/s  ${record.seconds.toFixed(1)} s`,
        );
      }
      if (signal) stopReason = signal;
    }
    const history = historyOf(position.records, stopReason ?? 'completed', position.checkpoint);
    for (const callback of options.callbacks) await callback.onTrainEnd?.(history, context);
    if (signal && store) {
      const where =
        position.batch > 0
          ? `at epoch ${position.epoch}, step ${position.step}`
          : `after epoch ${position.records.at(-1)?.epoch ?? 0}, step ${position.step}`;
      host.print(`${signal}: stopped ${where}; checkpoint ${position.checkpoint ?? 'none'} (resume continues from it)`);
      unwatch?.();
      unwatch = null;
      store.close();
      host.exitWithSignal?.(signal);
    }
    return history;
  } finally {
    unwatch?.();
    if (sample) disposeBatch(sample);
    if (ownsOptimizer) optimizer.dispose();
  }

  function checkFinite(means: Record<string, number>, epoch: number, at: Position): void {
    const bad = Object.keys(means).find((name) => !Number.isFinite(means[name]));
    if (bad === undefined) return;
    const parts = Object.entries(means)
      .map(([name, value]) => `${metricName(name)} ${value}`)
      .join(', ');
    const advice = at.checkpoint
      ? `the last good checkpoint is ${at.checkpoint}: lower the learning rate and resume`
      : 'no checkpoint was written yet: lower the learning rate and start again';
    throw new ValueError(
      formatExpected(
        FN,
        'a finite loss',
        'while training',
        `${means[bad]} at epoch ${epoch}, step ${at.step} (${parts}); ${advice}`,
      ),
    );
  }
}

/** `{ loss, reconstruction }` → `{ train_loss? }`-free metric names with a prefix: `test_recon`. */
function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([name]) => name !== 'loss')
      .map(([name, value]) => [`${prefix}${metricName(name)}`, value]),
  );
}

function displayed(means: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(means).map(([name, value]) => [metricName(name), value]));
}

async function writePreviews(
  store: RunStore,
  model: TrainableModel,
  sample: TrainBatch,
  epoch: number,
  options: ResolvedFitOptions,
): Promise<void> {
  const draw = typeof options.previews === 'function' ? options.previews : null;
  if (!draw && !model.previews) return;
  const few = sliceBatch(sample, PREVIEW_SAMPLE);
  let previews: Record<string, Preview> = {};
  try {
    const drawOptions = { seed: options.seed, epoch };
    previews = draw ? await draw(model, few, drawOptions) : await model.previews!(few, drawOptions);
    store.writePreviews(epoch, previews);
  } finally {
    disposeBatch(few);
    for (const preview of Object.values(previews)) if ('images' in preview) preview.images.dispose();
  }
}

function writeRunConfig(
  store: RunStore,
  kind: string,
  manifest: ModelManifest,
  data: { train: FitData['train']; test: FitData['test'] | null },
  options: ResolvedFitOptions,
  resumed: boolean,
): void {
  const previous = resumed ? store.readConfig() : null;
  const config: RunConfig = {
    format: RUN_FORMAT,
    version: 1,
    kind,
    model: manifest.config,
    fit: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      testBatchSize: options.testBatchSize,
      seed: options.seed,
      optimizer: typeof options.optimizer === 'string' ? options.optimizer : 'custom',
      learningRate: options.learningRate,
      batches: options.batches,
      checkpointEvery: options.checkpointEvery,
    },
    data: {
      train: { name: data.train.name, size: data.train.size },
      test: data.test ? { name: data.test.name, size: data.test.size } : null,
    },
    ...(options.runInfo ? { app: options.runInfo } : previous?.app ? { app: previous.app } : {}),
    createdAt: previous?.createdAt ?? new Date().toISOString(),
  };
  store.writeConfig(config);
}
