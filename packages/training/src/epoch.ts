/**
 * One epoch of a run: its batches, one `trainStep` each (the losses read back every `logEvery` steps, a step
 * checkpoint when due or when asked to stop), then the test loss, the pictures, the record and the epoch's checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatExpected, type Preview, type TrainBatch, ValueError } from '@vaejs/core';
import { disposeBatch, type EpochBatches, epochBatches, sliceBatch } from './data';
import { displayed, epochLine, epochRecord, metricName } from './epoch-record';
import { type EpochTotals, partialOf, readTotals, startTotals } from './epoch-sums';
import { meanLossParts } from './evaluate';
import type { ResolvedFitOptions } from './options';
import { waitWhilePaused } from './pause';
import { previewPictures } from './preview-pictures';
import { saveCheckpoint, stopRequested, type TrainingRun } from './training-run';

/** Test items drawn in the pictures of an epoch. */
const PREVIEW_SAMPLE = 32;

/** Trains the epoch the run stands at, then scores and records it; false when the run was stopped in its middle. */
export async function trainEpoch(run: TrainingRun): Promise<boolean> {
  if (run.options.signal?.aborted) {
    run.stopReason ??= 'stopped';
    return false;
  }
  for (const callback of run.options.callbacks) await callback.onEpochBegin?.(run.position.epoch, run.context);
  const totals = await trainSteps(run);
  if (totals === null) {
    run.stopReason = run.signal ?? run.stopReason ?? 'stopped';
    return false;
  }
  run.position.batch = 0;
  await endEpoch(run, totals);
  run.position.epoch++;
  return true;
}

// helpers

/** The epoch's steps from `position.batch` on; its totals, or null when stopped before its last batch. */
async function trainSteps(run: TrainingRun): Promise<EpochTotals | null> {
  const { options, position } = run;
  const batches = epochBatches(run.data.train, {
    batchSize: options.batchSize,
    seed: options.seed,
    epoch: position.epoch,
    shuffle: true,
    pipeline: options.batches,
  });
  const totals = startTotals(position.partial);
  position.partial = null;
  try {
    for (let index = position.batch; index < batches.numBatches; index++) {
      const stop = await trainStep(run, totals, batches, index);
      if (stop && index < batches.numBatches - 1) return null;
    }
    return totals;
  } finally {
    totals.sums.dispose();
  }
}

/**
 * One optimisation step on batch `index`, then, when due, the read-back of the running losses, `onBatchEnd`, and a
 * step checkpoint; true when the run is to stop after it.
 */
async function trainStep(
  run: TrainingRun,
  totals: EpochTotals,
  batches: EpochBatches,
  index: number,
): Promise<boolean> {
  const { options, position } = run;
  const started = performance.now();
  const batch = batches.batch(index);
  const size = batch.x.shape[0] ?? 0;
  const last = index === batches.numBatches - 1;
  const checkpointDue = options.checkpointEvery > 0 && (position.step + 1) % options.checkpointEvery === 0;
  const due = (index + 1) % options.logEvery === 0 || last || checkpointDue;
  let stepParts: Record<string, tf.Scalar> | null = null;
  try {
    const stepContext = { step: position.step, epoch: position.epoch, stepsPerEpoch: run.stepsPerEpoch };
    const extra = options.stepOptions?.(stepContext) ?? {};
    const seed = run.rng.nextSeed();
    const parts = run.model.trainStep(run.optimizer, batch, { ...extra, seed, step: position.step });
    // the step's own parts, read back with the sums when they are read back (a live loss curve's points)
    if (due && wantsBatchLogs(options)) stepParts = tf.tidy(() => mapValues(parts, (part) => tf.clone(part)));
    totals.sums.add(parts, size);
  } finally {
    disposeBatch(batch);
  }
  totals.seen += size;
  position.step++;
  position.batch = index + 1;
  const readBack = due || stopRequested(run);
  let losses: Record<string, number> | undefined;
  try {
    if (readBack) losses = await readBackLosses(run, totals, stepParts);
  } finally {
    if (stepParts) tf.dispose(Object.values(stepParts));
  }
  totals.seconds += (performance.now() - started) / 1000;
  await batchCallbacks(run, totals, { index, size, readBack, losses });
  await waitWhilePaused(options.pause, options.signal);
  if (options.signal?.aborted) run.stopReason ??= 'stopped';
  const stop = stopRequested(run);
  if (!last && (checkpointDue || stop)) {
    if (!readBack) await readTotals(totals);
    await saveCheckpoint(run, partialOf(totals));
  }
  return stop;
}

/**
 * Reads the running losses back (and the step's own parts, when kept), checks them (the NaN guard), and lets the
 * event loop turn. Returns the step's parts by their metric names, when kept.
 */
async function readBackLosses(
  run: TrainingRun,
  totals: EpochTotals,
  stepParts: Record<string, tf.Scalar> | null,
): Promise<Record<string, number> | undefined> {
  const parts = stepParts ?? {};
  const names = Object.keys(parts);
  const [values] = await Promise.all([
    Promise.all(names.map((name) => (parts[name] as tf.Scalar).data())),
    readTotals(totals),
  ]);
  if (run.options.terminateOnNaN) checkFinite(run, totals.means);
  await run.host.yieldToEventLoop();
  if (!stepParts) return undefined;
  return displayed(Object.fromEntries(names.map((name, i) => [name, values[i]?.[0] ?? Number.NaN])));
}

/** True when a callback has `onBatchEnd` (and so may want each step's losses). */
function wantsBatchLogs(options: ResolvedFitOptions): boolean {
  return options.callbacks.some((callback) => callback.onBatchEnd);
}

/** True when a callback asks for the pictures of each epoch. */
export function wantsPictures(options: ResolvedFitOptions): boolean {
  return options.callbacks.some((callback) => callback.onPreviews);
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, map(value)]));
}

async function batchCallbacks(
  run: TrainingRun,
  totals: EpochTotals,
  step: { index: number; size: number; readBack: boolean; losses: Record<string, number> | undefined },
): Promise<void> {
  if (!wantsBatchLogs(run.options)) return;
  const logs = {
    epoch: run.position.epoch,
    batch: step.index,
    step: run.position.step,
    size: step.size,
    ...(step.readBack
      ? { means: displayed(totals.means), itemsPerSecond: totals.seen / Math.max(totals.seconds, 1e-9) }
      : {}),
    ...(step.losses ? { losses: step.losses } : {}),
  };
  for (const callback of run.options.callbacks) await callback.onBatchEnd?.(logs, run.context);
}

/** After the epoch's last step: the test loss, figures, pictures, the record, the checkpoint, callbacks, the line. */
async function endEpoch(run: TrainingRun, totals: EpochTotals): Promise<void> {
  const { model, data, options, store, position, sample } = run;
  const testPlan = { batchSize: options.testBatchSize, ...run.testPlan };
  const testMeans = data.test ? await meanLossParts(model, data.test, testPlan) : {};
  const figures = model.epochMetrics && sample ? await model.epochMetrics(sample) : {};
  const record = epochRecord({
    epoch: position.epoch,
    means: totals.means,
    testMeans,
    figures,
    seen: totals.seen,
    seconds: totals.seconds,
    memory: run.host.memory(),
    backend: options.backendLabel ?? tf.getBackend(),
  });
  if ((store || wantsPictures(options)) && options.previews !== false && sample) await drawPreviews(run, sample);
  position.records.push(record);
  store?.appendMetrics(record);
  await saveCheckpoint(run);
  store?.writeLossChart(position.records, model.lossUnit);
  for (const callback of options.callbacks) await callback.onEpochEnd?.(record, run.context);
  if (options.verbose) run.host.print(epochLine(record, options.epochs, data.test !== null));
  if (run.signal) run.stopReason = run.signal;
  else if (options.signal?.aborted) run.stopReason ??= 'stopped';
}

/**
 * The pictures of the epoch, from the first test items: the model's own `previews`, or `options.previews`; written to
 * the run folder, and handed to `onPreviews` callbacks as plain data.
 */
async function drawPreviews(run: TrainingRun, sample: TrainBatch): Promise<void> {
  const { model, options } = run;
  const draw = typeof options.previews === 'function' ? options.previews : null;
  if (!draw && !model.previews) return;
  const few = sliceBatch(sample, PREVIEW_SAMPLE);
  let previews: Record<string, Preview> = {};
  try {
    const drawOptions = { seed: options.seed, epoch: run.position.epoch };
    previews = draw ? await draw(model, few, drawOptions) : await model.previews!(few, drawOptions);
    run.store?.writePreviews(run.position.epoch, previews);
    if (wantsPictures(options)) {
      const pictures = await previewPictures(previews);
      for (const callback of options.callbacks) await callback.onPreviews?.(run.position.epoch, pictures, run.context);
    }
  } finally {
    disposeBatch(few);
    for (const preview of Object.values(previews)) if ('images' in preview) preview.images.dispose();
  }
}

/** The NaN guard: a loss part that is not finite ends the run, naming the parts and the last good checkpoint. */
function checkFinite(run: TrainingRun, means: Record<string, number>): void {
  const bad = Object.keys(means).find((name) => !Number.isFinite(means[name]));
  if (bad === undefined) return;
  const { position } = run;
  const parts = Object.entries(means)
    .map(([name, value]) => `${metricName(name)} ${value}`)
    .join(', ');
  const advice = position.checkpoint
    ? `the last good checkpoint is ${position.checkpoint}: lower the learning rate and resume`
    : 'no checkpoint was written yet: lower the learning rate and start again';
  const where = `${means[bad]} at epoch ${position.epoch}, step ${position.step} (${parts}); ${advice}`;
  throw new ValueError(formatExpected('fit', 'a finite loss', 'while training', where));
}
