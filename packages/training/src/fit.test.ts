import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset } from './__fixtures__/tiny-model';
import { earlyStopping } from './callbacks';
import { evaluate } from './evaluate';
import { fit } from './index.node';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-fit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const quiet = { verbose: 0 as const, batchSize: 8, seed: 3 };

function metricsOf(runDir: string): Record<string, number | string>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** The fields of a record that do not depend on timing or memory. */
function lossFields(record: Record<string, number | string>): Record<string, number | string> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => !/seconds|per_sec|_mb$|backend/.test(name)));
}

describe('fit', () => {
  it('trains, scores the test set every epoch, and writes metrics, pictures and a checkpoint into runDir', async () => {
    const model = createTinyModel();
    const before = tf.memory().numTensors;
    const runDir = join(dir, 'run');
    const history = await fit(model, data, { ...quiet, epochs: 3, runDir });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.epochs).toEqual([1, 2, 3]);
    expect(history.stopReason).toBe('completed');
    const losses = history.history.test_loss as number[];
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0] as number);
    const lines = metricsOf(runDir);
    expect(lines.map((line) => line.epoch)).toEqual([1, 2, 3]);
    expect(lines[0]).toMatchObject({
      train_loss: expect.any(Number),
      test_loss: expect.any(Number),
      recon: expect.any(Number),
      test_penalty: expect.any(Number),
    });
    expect(lines[2]?.test_loss).toBe(losses[2]);
    expect(JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8'))).toEqual({
      checkpoint: 'epoch-0003',
    });
    // two checkpoints kept by default
    expect(
      readdirSync(join(runDir, 'checkpoints'))
        .filter((name) => name.startsWith('epoch-'))
        .sort(),
    ).toEqual(['epoch-0002', 'epoch-0003']);
    const checkpoint = join(runDir, 'checkpoints', 'epoch-0003');
    expect(JSON.parse(readFileSync(join(checkpoint, 'checkpoint.json'), 'utf8'))).toMatchObject({
      kind: 'tiny',
      epoch: 3,
      step: 15,
    });
    expect(existsSync(join(checkpoint, 'tiny.json'))).toBe(true);
    expect(existsSync(join(checkpoint, 'weights', 'model.json'))).toBe(true);
    for (const picture of ['loss.png', 'inputs.png', 'norms.png', 'pictures/epoch-002-inputs.png']) {
      expect(existsSync(join(runDir, picture)), picture).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      format: 'vaejs-run',
      kind: 'tiny',
      model: { pixels: 16, code: 3 },
      fit: { epochs: 3, batchSize: 8, seed: 3 },
    });
    expect(existsSync(join(runDir, '.lock'))).toBe(false);
    model.dispose();
  });

  it('ends a resumed run bit-identical to an uninterrupted one (weights, losses, Adam state)', async () => {
    const straight = createTinyModel();
    await fit(straight, data, { ...quiet, epochs: 4, runDir: join(dir, 'straight') });
    const resumed = createTinyModel();
    await fit(resumed, data, { ...quiet, epochs: 2, runDir: join(dir, 'resumed') });
    resumed.dispose();
    // a fresh process would build a fresh model: another seed, restored from the checkpoint
    const again = createTinyModel({ seed: 99 });
    const history = await fit(again, data, { ...quiet, epochs: 4, runDir: join(dir, 'resumed'), resume: true });
    expect(history.epochs).toEqual([1, 2, 3, 4]);
    expect(Array.from(again.weights())).toEqual(Array.from(straight.weights()));
    expect(metricsOf(join(dir, 'resumed')).map(lossFields)).toEqual(metricsOf(join(dir, 'straight')).map(lossFields));
    straight.dispose();
    again.dispose();
  });

  it('resumes mid-epoch from a step checkpoint (checkpointEvery) and still ends bit-identical', async () => {
    const straight = createTinyModel();
    await fit(straight, data, { ...quiet, epochs: 2, runDir: join(dir, 'straight') });
    const first = createTinyModel();
    const stopAt = 7; // epoch 2, batch 2 of 5
    const history = await fit(first, data, {
      ...quiet,
      epochs: 2,
      runDir: join(dir, 'cut'),
      checkpointEvery: 7,
      callbacks: [{ onBatchEnd: (logs, context) => (logs.step === stopAt ? context.stop() : undefined) }],
    });
    expect(history.stopReason).toBe('stopped');
    expect(JSON.parse(readFileSync(join(dir, 'cut', 'checkpoints', 'latest.json'), 'utf8'))).toEqual({
      checkpoint: 'step-00000007',
    });
    const info = JSON.parse(readFileSync(join(dir, 'cut', 'checkpoints', 'step-00000007', 'checkpoint.json'), 'utf8'));
    expect(info).toMatchObject({ epoch: 2, step: 7, batch: 2 });
    first.dispose();
    const second = createTinyModel({ seed: 5 });
    await fit(second, data, { ...quiet, epochs: 2, runDir: join(dir, 'cut'), resume: true });
    expect(Array.from(second.weights())).toEqual(Array.from(straight.weights()));
    expect(metricsOf(join(dir, 'cut')).map(lossFields)).toEqual(metricsOf(join(dir, 'straight')).map(lossFields));
    straight.dispose();
    second.dispose();
  });

  it('stops with one line at a NaN loss, naming the last checkpoint only when there is one', async () => {
    const model = createTinyModel({ failAt: 3 });
    await expect(fit(model, data, { ...quiet, epochs: 2, runDir: join(dir, 'nan'), logEvery: 1 })).rejects.toThrow(
      /^fit: expected a finite loss while training, got NaN at epoch 1, step 3 .*no checkpoint was written yet/,
    );
    model.dispose();
    const later = createTinyModel({ failAt: 8 });
    await expect(fit(later, data, { ...quiet, epochs: 2, runDir: join(dir, 'nan2'), logEvery: 1 })).rejects.toThrow(
      /got NaN at epoch 2, step 8 .*last good checkpoint is .*epoch-0001/,
    );
    later.dispose();
  });

  it('refuses a run folder that does not suit the request, before writing anything', async () => {
    const model = createTinyModel();
    const runDir = join(dir, 'run');
    await fit(model, data, { ...quiet, epochs: 1, runDir });
    await expect(fit(model, data, { ...quiet, epochs: 2, runDir })).rejects.toThrow(
      /^fit: expected options.runDir a new folder, or a run without checkpoints .*has checkpoint/,
    );
    await expect(fit(model, data, { ...quiet, runDir: join(dir, 'none'), resume: true })).rejects.toThrow(
      /^fit: expected options.resume a checkpoint in .*got none/,
    );
    const other = join(dir, 'other');
    await fit(model, data, { ...quiet, runDir: other, epochs: 1 }).then(() =>
      rmSync(join(other, 'checkpoints'), { recursive: true }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(fit(model, data, { ...quiet, runDir: dir })).rejects.toThrow(/holds other files/);
    // a folder whose run died before its first checkpoint starts again
    const history = await fit(model, data, { ...quiet, runDir: other, epochs: 1 });
    expect(history.epochs).toEqual([1]);
    await expect(fit(model, { train: tinyDataset(0) }, quiet)).rejects.toThrow(
      /^fit: expected data.train at least one item/,
    );
    await expect(fit(model, data, { ...quiet, epochs: 0 })).rejects.toThrow(
      /^fit: expected options.epochs a positive integer, got 0/,
    );
    model.dispose();
  });

  it("stops early when the monitored figure stops improving, and counts a resumed run's history", async () => {
    const model = createTinyModel();
    const history = await fit(model, data, {
      ...quiet,
      epochs: 20,
      callbacks: [earlyStopping({ monitor: 'test_loss', patience: 1, minDelta: 1e9 })],
    });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.epochs).toEqual([1, 2]);
    model.dispose();
  });

  it('trains without a test set, and evaluate scores a dataset', async () => {
    const model = createTinyModel();
    const history = await fit(model, { train: data.train }, { ...quiet, epochs: 1 });
    expect(Number.isNaN(history.records[0]?.test_loss)).toBe(true);
    const scores = await evaluate(model, data.test, { batchSize: 5, seed: 3 });
    expect(Object.keys(scores).sort()).toEqual(['loss', 'penalty', 'reconstruction']);
    expect(scores.loss).toBeCloseTo((scores.reconstruction as number) + (scores.penalty as number), 4);
    model.dispose();
  });

  it('lets the event loop turn while it trains: process.nextTick callbacks queued by steps run within the epoch', async () => {
    // pngjs and Node streams free their buffers from process.nextTick callbacks; a loop that never leaves the
    // microtask queue keeps every one of them queued, and the process grows by each epoch's pictures.
    const model = createTinyModel();
    let queued = 0;
    let ran = 0;
    const step = model.trainStep.bind(model);
    model.trainStep = (optimizer, batch, options) => {
      queued++;
      process.nextTick(() => {
        ran++;
      });
      return step(optimizer, batch, options);
    };
    const ranAtPictures: number[] = [];
    await fit(model, data, {
      ...quiet,
      epochs: 2,
      logEvery: 2,
      runDir: join(dir, 'ticks'),
      previews: () => {
        ranAtPictures.push(ran);
        return {};
      },
    });
    expect(queued).toBe(10);
    expect(ranAtPictures).toEqual([5, 10]);
    model.dispose();
  });

  it('refuses a disposed model, and a model another fit still trains, in one line each', async () => {
    const disposed = createTinyModel();
    disposed.dispose();
    await expect(fit(disposed, data, quiet)).rejects.toThrow(
      /^fit: expected model a model that is not disposed, got one whose dispose\(\) was called \(create or load it again\)\.$/,
    );
    const model = createTinyModel();
    const first = fit(model, data, { ...quiet, epochs: 2 });
    await expect(fit(model, data, quiet)).rejects.toThrow(
      /^fit: expected model a model no other fit is training, got one a fit still trains \(await it first\)\.$/,
    );
    expect((await first).records.map((record) => record.epoch)).toEqual([1, 2]);
    // once the first is done, the model trains again; another model trains alongside any
    const other = createTinyModel();
    const [again, alongside] = await Promise.all([fit(model, data, quiet), fit(other, data, quiet)]);
    expect([again.stopReason, alongside.stopReason]).toEqual(['completed', 'completed']);
    model.dispose();
    other.dispose();
  });
});
