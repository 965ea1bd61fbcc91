import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset, tinyLoader } from '../__fixtures__/tiny-model';
import { readModelTensors } from '../model-tensors';
import { createRunReader } from '../run-folder/run-reader';
import {
  bridgeConfigOf,
  bridgeDataset,
  checkpointOptimizerSlots,
  exportBridgeFolder,
  writeBridgeRun,
} from './bridge-export';
import { readBridgeFolder } from './bridge-folder';
import { fileRunSource } from './file-source';
import { fit } from './node-fit';

const root = mkdtempSync(join(tmpdir(), 'vaejs-bridge-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const reader = createRunReader([tinyLoader]);

describe('a checkpoint to a bridge folder and back', () => {
  // the tiny model's variables are not named as its saved weights, so sgd (no per-weight slots) stands in for adam,
  // whose slots by weight name optimizerSlotsOut's own tests and the CLI's bridge tests cover
  it('gives the config, the optimizer slots and the tensors, which writeBridgeRun brings back as a run', async () => {
    const dir = join(root, 'run');
    const model = createTinyModel({ seed: 1 });
    const options = {
      runDir: dir,
      epochs: 2,
      batchSize: 4,
      verbose: 0 as const,
      optimizer: 'sgd' as const,
      learningRate: 0.02,
    };
    await fit(model, { train: tinyDataset(16) }, options);
    const checkpoint = await reader.locate(fileRunSource(dir));
    const runConfig = await reader.readConfig(fileRunSource(dir));
    const { manifest, tensors } = await readModelTensors(model);
    const optimizer = await checkpointOptimizerSlots(checkpoint.location, 'sgd', Object.keys(tensors));
    expect(Object.keys(optimizer.slots)).toEqual(['iter']);
    const source = { run: dir };
    const config = bridgeConfigOf(checkpoint, manifest, runConfig, {
      optimizer: { name: 'sgd', order: optimizer.order },
      dataset: { name: 'tiny' },
      source,
    });
    expect(config).toMatchObject({
      format: 'vaejs-pytorch',
      kind: 'tiny',
      model: { pixels: 16, code: 3 },
      optimizer: { name: 'sgd', learningRate: 0.02 },
      training: { epoch: 2, step: 8, dataset: { name: 'tiny' } },
      source,
    });
    expect(config.training.history).toHaveLength(2);

    const back = join(root, 'back');
    const fresh = createTinyModel({ seed: 7 });
    await writeBridgeRun(back, fresh, { config, weights: tensors, optimizer: optimizer.slots }, { from: 'exported' });
    const loaded = (await reader.load(await reader.locate(fileRunSource(back)))) as typeof model;
    expect(loaded.weights()).toEqual(model.weights());
    expect((await reader.locate(fileRunSource(back))).info).toMatchObject({ epoch: 2, step: 8 });
    for (const m of [model, fresh, loaded]) m.dispose();
  });

  it("exportBridgeFolder: a checkpoint's folder, whole, with its README and the extra files", async () => {
    const dir = join(root, 'run-export');
    const model = createTinyModel({ seed: 2 });
    await fit(model, { train: tinyDataset(8) }, { runDir: dir, epochs: 1, batchSize: 4, verbose: 0, optimizer: 'sgd' });
    const checkpoint = await reader.locate(fileRunSource(dir));
    const out = join(root, 'exported');
    const extra = (folder: string) => writeFileSync(join(folder, 'extra.txt'), 'mine');
    const { config, files } = await exportBridgeFolder(out, model, checkpoint, {
      run: dir,
      source: { run: dir },
      extra,
    });
    expect(files).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'README.md']);
    expect(readdirSync(out).sort()).toEqual([...files, 'extra.txt'].sort());
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(out);
    const back = readBridgeFolder(out);
    expect(back.config).toEqual(config);
    expect(Object.keys(back.weights)).toEqual(Object.keys((await readModelTensors(model)).tensors));
    await expect(exportBridgeFolder(out, model, checkpoint, { run: dir, source: {} })).rejects.toThrow(
      /^exportBridgeFolder: expected dir a new or empty folder, got '.*exported', which holds files\.$/,
    );
    model.dispose();
  });

  it('counts a checkpoint written mid-epoch as the epochs before it', () => {
    const info = { epoch: 3, step: 10, batch: 2, state: { history: [], rng: null } };
    const manifest = { format: 'vaejs-tiny', version: 1, config: {}, parts: [] };
    const extra = { optimizer: null, dataset: {}, source: {} };
    const config = bridgeConfigOf({ kind: 'tiny', info } as never, manifest as never, null, extra);
    expect(config.training).toMatchObject({ epoch: 2, step: 10, fit: {}, app: null });
    expect(config.optimizer).toBeNull();
  });

  it("names a run's data for the Python side", () => {
    expect(bridgeDataset('pixelcnn', {})).toEqual({});
    expect(bridgeDataset('pixelcnn', { codes: '/codes' })).toEqual({ name: 'codes', codes: '/codes' });
    expect(bridgeDataset('vae', { dataset: '/images', imageSize: 28 })).toEqual({ name: '/images', imageSize: 28 });
    expect(bridgeDataset('vae', {}).name).toBe('mnist');
  });
});
