import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset, tinyLoader } from '../__fixtures__/tiny-model';
import { createRunReader } from '../run-folder/run-reader';
import type { EpochRecord } from '../run-format';
import { fileRunSource } from './file-source';
import { fit } from './node-fit';
import { writeRunFolder } from './write-run';

const root = mkdtempSync(join(tmpdir(), 'vaejs-write-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const reader = createRunReader([tinyLoader]);
const record = (epoch: number): EpochRecord => ({
  epoch,
  train_loss: 2 - epoch / 10,
  test_loss: 2.1 - epoch / 10,
  images_per_sec: 100,
  seconds: 1,
  backend: 'pytorch',
});
const fitConfig = { epochs: 2, batchSize: 4, seed: 3, optimizer: 'adam', learningRate: 0.01 };
const data = { train: { name: 'tiny', size: 16 }, test: null };

describe('writeRunFolder: a run folder of a model trained elsewhere', () => {
  it('writes what fit writes: the reader loads it, and fit resumes it with its optimizer state', async () => {
    const dir = join(root, 'run');
    const model = createTinyModel({ seed: 5 });
    const iter = tf.scalar(8, 'int32');
    const m = model.variables.map((variable, i) => ({ name: `w${i}/m`, tensor: tf.zerosLike(variable) }));
    const v = model.variables.map((variable, i) => ({ name: `w${i}/v`, tensor: tf.onesLike(variable) }));
    const optimizerState = [{ name: 'iter', tensor: iter }, ...m, ...v];
    const history = [record(1), record(2)];
    const folder = await writeRunFolder(dir, {
      model,
      epoch: 2,
      step: 8,
      history,
      fit: fitConfig,
      data,
      optimizerState,
      app: { command: 'train' },
    });
    tf.dispose(optimizerState.map((slot) => slot.tensor));
    expect(folder).toBe(join(dir, 'checkpoints', 'epoch-0002'));
    expect(readdirSync(dir).sort()).toEqual(['checkpoints', 'config.json', 'loss.png', 'metrics.csv', 'metrics.jsonl']);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).epoch)).toEqual([1, 2]);
    const config = await reader.readConfig(fileRunSource(dir));
    expect(config).toMatchObject({
      kind: 'tiny',
      model: { pixels: 16, code: 3 },
      fit: fitConfig,
      data,
      app: { command: 'train' },
    });
    const checkpoint = await reader.locate(fileRunSource(dir));
    expect(checkpoint.info).toMatchObject({ epoch: 2, step: 8, state: { history } });
    const loaded = (await reader.load(checkpoint)) as ReturnType<typeof createTinyModel>;
    expect(loaded.weights()).toEqual(model.weights());
    const resumed = createTinyModel({ seed: 9 });
    await fit(resumed, { train: tinyDataset(16) }, { runDir: dir, resume: true, epochs: 3, batchSize: 4, verbose: 0 });
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    for (const m of [model, loaded, resumed]) m.dispose();
  });

  it('refuses a folder holding other files, writing nothing', async () => {
    const dir = mkdtempSync(join(root, 'other-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const model = createTinyModel();
    await expect(writeRunFolder(dir, { model, epoch: 1, step: 1, history: [], fit: fitConfig, data })).rejects.toThrow(
      /^fit: expected options\.runDir an empty folder or a run folder, got '.*', which holds other files \(notes\.txt\)\.$/,
    );
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    model.dispose();
  });
});
