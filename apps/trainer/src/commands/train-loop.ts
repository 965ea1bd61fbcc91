import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, formatExpected, type RngState, ValueError } from '@vaejs/core';
import { type CheckpointInfo, writeCheckpoint } from '../io/checkpoint';
import { loadNamedTensors, saveNamedTensors } from '../io/file-io';
import { writeLineChart } from '../io/plot';
import type { EpochData, TrainableModel, TrainBatch } from '../models/types';
import { createProgress, formatNumber } from '../progress';

export interface LoopOptions {
  command: string;
  runDir: string;
  model: TrainableModel;
  epochs: number;
  learningRate: number;
  seed: number;
  backend: string;
  /** Builds an epoch's training data (shuffled by epoch). */
  trainData: (epoch: number) => EpochData;
  /** The test data, the same every epoch. */
  testData: () => EpochData;
  /** Read the running loss back every this many steps (progress bar and NaN guard). */
  logEvery?: number;
  /** Where a resumed run starts. */
  resume?: { dir: string; info: CheckpointInfo };
  /** Silences the progress bar and per-epoch lines (tests). */
  quiet?: boolean;
}

export interface EpochRecord extends Record<string, number | string> {
  epoch: number;
  train_loss: number;
  test_loss: number;
  images_per_sec: number;
  backend: string;
}

function disposeBatch(batch: TrainBatch): void {
  tf.dispose([batch.x, batch.target, batch.labels].filter((t): t is tf.Tensor => t !== undefined));
}

/** The metric name a loss part gets in metrics.jsonl: `reconstruction` → `recon`, as the schema names it. */
function metricName(part: string): string {
  return part === 'reconstruction' ? 'recon' : part;
}

/**
 * Trains `model` for `epochs` epochs with Adam: per epoch it appends a line to metrics.jsonl, writes pictures and
 * an atomic checkpoint (model, optimizer state, RNG state); a loss that becomes NaN or infinite stops the run
 * with a one-line error and leaves the last good checkpoint in place.
 */
export async function runTrainingLoop(options: LoopOptions): Promise<EpochRecord[]> {
  const { model, runDir, command } = options;
  const logEvery = options.logEvery ?? 25;
  mkdirSync(runDir, { recursive: true });
  const optimizer = tf.train.adam(options.learningRate);
  const rng = createRng(options.seed);
  let history: EpochRecord[] = [];
  let step = 0;
  let startEpoch = 1;
  if (options.resume) {
    const { dir, info } = options.resume;
    const state = info.state as { rng: RngState; history: EpochRecord[] };
    rng.setState(state.rng);
    history = state.history;
    step = info.step;
    startEpoch = info.epoch + 1;
    const slots = loadNamedTensors(dir, 'optimizer');
    await optimizer.setWeights(slots);
    tf.dispose(slots.map((slot) => slot.tensor));
  }
  const metricsPath = join(runDir, 'metrics.jsonl');
  // A resumed run rewrites metrics.jsonl from the checkpoint's history, dropping lines of epochs it redoes.
  writeFileSync(metricsPath, history.map((record) => `${JSON.stringify(record)}\n`).join(''));

  try {
    for (let epoch = startEpoch; epoch <= options.epochs; epoch++) {
      model.startEpoch?.();
      const data = options.trainData(epoch);
      const progress = options.quiet ? null : createProgress(`epoch ${epoch}/${options.epochs}`, data.numBatches);
      const sums: Record<string, tf.Scalar> = {};
      let seen = 0;
      let trainSeconds = 0;
      let readBack: Record<string, number> = {};
      const readSums = async (): Promise<Record<string, number>> => {
        const names = Object.keys(sums);
        const values = await Promise.all(names.map((name) => sums[name]!.data()));
        const means = Object.fromEntries(names.map((name, i) => [name, (values[i]![0] ?? Number.NaN) / seen]));
        const bad = names.find((name) => !Number.isFinite(means[name]));
        if (bad !== undefined) {
          const parts = names.map((name) => `${name} ${means[name]}`).join(', ');
          throw new ValueError(
            formatExpected(
              command,
              'a finite loss',
              `while training`,
              `${means[bad]} at epoch ${epoch}, step ${step} (${parts}); the last good checkpoint stays in ${join(runDir, 'checkpoints')}: lower --lr and run again with --resume`,
            ),
          );
        }
        return means;
      };
      for (let index = 0; index < data.numBatches; index++) {
        const started = performance.now();
        const batch = data.batch(index);
        const size = batch.x.shape[0]!;
        try {
          const parts = model.trainStep(optimizer, batch, { seed: rng.nextSeed(), step });
          for (const [name, value] of Object.entries(parts)) {
            const weighted = tf.mul(value, size) as tf.Scalar;
            const previous = sums[name];
            sums[name] = previous ? (tf.add(previous, weighted) as tf.Scalar) : weighted;
            if (previous) {
              previous.dispose();
              weighted.dispose();
            }
            value.dispose();
          }
        } finally {
          disposeBatch(batch);
        }
        seen += size;
        step++;
        if ((index + 1) % logEvery === 0 || index === data.numBatches - 1) {
          readBack = await readSums();
          await yieldToEventLoop();
          trainSeconds += (performance.now() - started) / 1000;
          progress?.update(index + 1, { ...displayed(readBack), 'img/s': seen / Math.max(trainSeconds, 1e-9) });
        } else {
          trainSeconds += (performance.now() - started) / 1000;
        }
      }
      tf.dispose(Object.values(sums));
      const test = await evaluate(model, options.testData(), options.seed);
      const extra = (await model.epochMetrics?.()) ?? {};
      const record: EpochRecord = {
        epoch,
        train_loss: readBack.loss ?? Number.NaN,
        test_loss: test.loss ?? Number.NaN,
        ...Object.fromEntries(
          Object.entries(readBack)
            .filter(([name]) => name !== 'loss')
            .map(([name, value]) => [metricName(name), value]),
        ),
        ...Object.fromEntries(
          Object.entries(test)
            .filter(([name]) => name !== 'loss')
            .map(([name, value]) => [`test_${metricName(name)}`, value]),
        ),
        ...extra,
        images_per_sec: seen / Math.max(trainSeconds, 1e-9),
        seconds: trainSeconds,
        ...memoryFigures(),
        backend: options.backend,
      };
      progress?.finish({ ...displayed(readBack), test: test.loss ?? Number.NaN, 'img/s': record.images_per_sec });
      await model.writePictures(runDir, epoch, { seed: options.seed });
      history.push(record);
      appendFileSync(metricsPath, `${JSON.stringify(record)}\n`);
      const info: CheckpointInfo = {
        format: 'vaejs-checkpoint',
        version: 1,
        kind: model.kind,
        epoch,
        step,
        state: { rng: rng.getState(), history },
      };
      await writeCheckpoint(runDir, info, async (dir) => {
        await model.save(dir);
        const slots = await optimizer.getWeights();
        try {
          await saveNamedTensors(dir, 'optimizer', slots);
        } finally {
          // getWeights returns the optimizer's own variables plus a fresh scalar of its step count: free that one
          tf.dispose(slots.map((slot) => slot.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
        }
      });
      if (!options.quiet) {
        process.stderr.write(
          `epoch ${epoch}: train ${formatNumber(record.train_loss)}  test ${formatNumber(record.test_loss)}  ${formatNumber(record.images_per_sec)} img/s\n`,
        );
      }
    }
    if (history.length > 0) {
      writeLineChart(
        join(runDir, 'loss.png'),
        [
          { name: 'train loss', values: history.map((r) => r.train_loss) },
          { name: 'test loss', values: history.map((r) => r.test_loss) },
        ],
        'loss per epoch',
      );
    }
    return history;
  } finally {
    optimizer.dispose();
  }
}

/**
 * Lets the event loop turn. On the wasm and cpu backends a read-back resolves as a microtask, so without this the
 * loop would never leave the microtask queue: callbacks queued with process.nextTick (pngjs and Node streams free
 * their buffers in them) would pile up for the whole run, and with them each epoch's pictures.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function displayed(means: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(means).map(([name, value]) => [metricName(name), value]));
}

/** Mean loss parts over a dataset, weighted by batch size. */
export async function evaluate(model: TrainableModel, data: EpochData, seed: number): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  let seen = 0;
  for (let index = 0; index < data.numBatches; index++) {
    const batch = data.batch(index);
    try {
      const parts = model.lossParts(batch, { seed: seed + index });
      const names = Object.keys(parts);
      const values = await Promise.all(names.map((name) => parts[name]!.data()));
      tf.dispose(Object.values(parts));
      const size = batch.x.shape[0]!;
      names.forEach((name, i) => {
        totals[name] = (totals[name] ?? 0) + (values[i]![0] ?? Number.NaN) * size;
      });
      seen += size;
    } finally {
      disposeBatch(batch);
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([name, total]) => [name, total / Math.max(seen, 1)]));
}

/**
 * Memory at the end of an epoch, in MiB: the process (`rss_mb`, what the benchmarks track), the JavaScript heap, the
 * ArrayBuffers' backing stores outside it (the dataset's pixels, batches before upload), the bytes tfjs holds in
 * tensors, and the wasm backend's linear memory (which never shrinks: a growing `wasm_mb` with a flat `tensor_mb` is
 * heap fragmentation, not a leak).
 */
function memoryFigures(): Record<string, number> {
  const usage = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength;
  return {
    rss_mb: mb(usage.rss),
    js_heap_mb: mb(usage.heapUsed),
    array_buffers_mb: mb(usage.arrayBuffers),
    tensor_mb: mb(tf.memory().numBytes),
    ...(wasm !== undefined ? { wasm_mb: mb(wasm) } : {}),
  };
}
