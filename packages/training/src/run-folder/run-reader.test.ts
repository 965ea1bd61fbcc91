import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '@vaejs/core';
import { serveFolder } from '@vaejs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTinyModel, type TinyModel, tinyDataset, tinyLoader } from '../__fixtures__/tiny-model';
import { fileIO } from '../node/file-io';
import { fileRunSource } from '../node/file-source';
import { fit } from '../node/node-fit';
import type { HttpFetcher } from './http-io';
import { httpRunSource } from './http-source';
import { createRunReader } from './run-reader';

const reader = createRunReader([tinyLoader]);
const BASE = 'http://models.test/';
let dir: string;
let run: string;
let trained: TinyModel;

/** Serves the files under `dir` at BASE, as a static web server would. */
const servedFiles: HttpFetcher = (url) => serveFolder(dir, BASE)(url);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-reader-'));
  run = join(dir, 'run');
  trained = createTinyModel();
  const data = { train: tinyDataset(24, 1), test: tinyDataset(8, 2) };
  await fit(trained, data, { epochs: 2, batchSize: 8, runDir: run, verbose: 0, previews: false, runInfo: { me: 1 } });
  // a bare model folder: the manifest and one folder per part, no checkpoint.json
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  const manifest = await trained.save((part) => fileIO(join(bare, part), part));
  writeFileSync(join(bare, 'tiny.json'), JSON.stringify(manifest));
});
afterAll(() => {
  trained.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('createRunReader over files', () => {
  it("reads a run's config and locates its newest checkpoint, whose run is the folder", async () => {
    const source = fileRunSource(run);
    expect(await reader.readConfig(source)).toMatchObject({
      kind: 'tiny',
      data: { train: { size: 24 } },
      app: { me: 1 },
    });
    const checkpoint = await reader.locate(source);
    expect([checkpoint.kind, checkpoint.location, checkpoint.info?.epoch]).toEqual([
      'tiny',
      join(run, 'checkpoints', 'epoch-0002'),
      2,
    ]);
    expect(checkpoint.run).toBe(source);
  });

  it('locates a checkpoint folder given itself, with the run it belongs to, and loads its model', async () => {
    const checkpoint = await reader.locate(fileRunSource(join(run, 'checkpoints', 'epoch-0002')));
    expect(checkpoint.run?.location).toBe(run);
    const model = (await reader.load(checkpoint)) as TinyModel;
    expect(model.weights()).toEqual(trained.weights());
    const fresh = reader.create(checkpoint.kind, checkpoint.manifest.config) as TinyModel;
    expect(fresh.weights()).not.toEqual(trained.weights());
    model.dispose();
    fresh.dispose();
  });

  it('reads a bare model folder (a manifest of a kind it loads, and the parts)', async () => {
    const checkpoint = await reader.locate(fileRunSource(join(dir, 'bare')));
    expect([checkpoint.kind, checkpoint.info, checkpoint.run]).toEqual(['tiny', null, null]);
    const model = (await reader.load(checkpoint)) as TinyModel;
    expect(model.weights()).toEqual(trained.weights());
    model.dispose();
  });

  it('names a folder that is not there, one with no checkpoint, and a checkpoint of another kind', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const asked = { fn: 'vaejs eval', argument: '--run' };
    await expect(reader.locate(fileRunSource(join(dir, 'none')), asked)).rejects.toThrow(
      /^vaejs eval: expected --run a run folder or a checkpoint folder, got '.*none' \(no such folder\)\.$/,
    );
    await expect(reader.locate(fileRunSource(empty), asked)).rejects.toThrow(
      /^vaejs eval: expected --run a run folder with a checkpoint or a checkpoint folder, got '.*empty' with neither\.$/,
    );
    await expect(reader.locate(fileRunSource(empty))).rejects.toThrow(
      /^checkpoint: expected .*empty a run folder with a checkpoint or a checkpoint folder, got neither\.$/,
    );
    expect(await reader.find(fileRunSource(empty))).toBeNull();
    await expect(reader.locate(fileRunSource(run), { fn: 'vaejs sample', kinds: ['vqvae'] })).rejects.toThrow(
      /^vaejs sample: expected a vqvae checkpoint, got a tiny one \(.*epoch-0002\)\.$/,
    );
    expect(() => reader.create('vae', {})).toThrow(/^checkpoint: expected checkpoint kind one of tiny, got 'vae'\.$/);
  });

  it('refuses a checkpoint whose config its package estimates above the memory limit, before building it', async () => {
    const checkpoint = await reader.locate(fileRunSource(run));
    const memory = { maxBytes: 2 ** 20, batchSize: 64, argument: '--max-memory 1 MB' };
    // what the run wrote fits; the same checkpoint claiming 100,000 pixels per item does not
    const fits = (await reader.load(checkpoint, { memory })) as TinyModel;
    expect(fits.weights()).toEqual(trained.weights());
    fits.dispose();
    const grown = { ...checkpoint, manifest: { ...checkpoint.manifest, config: { pixels: 100_000, code: 3 } } };
    const started = performance.now();
    await expect(reader.load(grown, { fn: 'vaejs eval', memory })).rejects.toThrow(
      /^vaejs eval: expected .*epoch-0002\/tiny\.json config a model and step within --max-memory 1 MB, got about 82 MB \(600,000 parameters\)\.$/,
    );
    expect(() => reader.create('tiny', { pixels: 100_000 }, { memory, location: 'r/tiny.json' })).toThrow(
      /^checkpoint: expected r\/tiny\.json config a model and step within --max-memory 1 MB, got about 82 MB/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('open reads the new newest checkpoint of a run whose checkpoint was removed while it was read', async () => {
    const copy = join(dir, 'rotating');
    cpSync(run, copy, { recursive: true });
    const checkpoints = join(copy, 'checkpoints');
    // a writer rotating: the checkpoint being read goes aside, and latest.json names another
    let rotated = false;
    const rotating = createRunReader([
      {
        ...tinyLoader,
        async load(manifest, io) {
          if (!rotated) {
            rotated = true;
            renameSync(join(checkpoints, 'epoch-0002'), join(checkpoints, '.deleting-epoch-0002-1-1'));
            writeFileSync(join(checkpoints, 'latest.json'), '{"checkpoint": "epoch-0001"}');
          }
          return tinyLoader.load(manifest, io);
        },
      },
    ]);
    const { checkpoint, model } = await rotating.open(fileRunSource(copy));
    expect([checkpoint.location, checkpoint.info?.epoch]).toEqual([join(checkpoints, 'epoch-0001'), 1]);
    const epoch1 = readFileSync(join(checkpoints, 'epoch-0001', 'weights', 'weights.bin'));
    expect(Buffer.from((model as TinyModel).weights().buffer).equals(epoch1)).toBe(true);
    model.dispose();
    // a checkpoint folder given itself is read once: its failure is the answer
    rotated = false;
    renameSync(join(checkpoints, '.deleting-epoch-0002-1-1'), join(checkpoints, 'epoch-0002'));
    await expect(rotating.open(fileRunSource(join(checkpoints, 'epoch-0002')))).rejects.toThrow(CheckpointError);
  });

  it('takes loaders with a kind, load and create, one per kind', () => {
    expect(() => createRunReader([{ kind: 'x' } as never])).toThrow(ConfigError);
    expect(() => createRunReader([tinyLoader, tinyLoader])).toThrow(
      /^createRunReader: expected loaders\[1\] one loader per kind, got a second 'tiny'\.$/,
    );
    expect(createRunReader([tinyLoader]).kinds).toEqual(['tiny']);
  });
});

describe('createRunReader over HTTP', () => {
  it('reads the same run through latest.json, and loads the same weights', async () => {
    const source = httpRunSource(`${BASE}run`, servedFiles);
    expect(source.location).toBe(`${BASE}run/`);
    expect((await reader.readConfig(source))?.kind).toBe('tiny');
    const checkpoint = await reader.locate(source, { kinds: ['tiny'] });
    expect([checkpoint.location, checkpoint.info?.epoch, checkpoint.run]).toEqual([
      `${BASE}run/checkpoints/epoch-0002/`,
      2,
      source,
    ]);
    const model = (await reader.load(checkpoint)) as TinyModel;
    expect(model.weights()).toEqual(trained.weights());
    model.dispose();
    const folder = await reader.locate(httpRunSource(`${BASE}run/checkpoints/epoch-0002/`, servedFiles));
    expect(folder.run?.location).toBe(`${BASE}run/`);
    expect((await reader.locate(httpRunSource(`${BASE}bare/`, servedFiles))).info).toBeNull();
  });

  it('refuses a latest.json that leaves the run, and names what is not there', async () => {
    writeFileSync(join(dir, 'escape.json'), '');
    mkdirSync(join(dir, 'escape', 'checkpoints'), { recursive: true });
    writeFileSync(
      join(dir, 'escape', 'checkpoints', 'latest.json'),
      '{"checkpoint":"../../run/checkpoints/epoch-0002"}',
    );
    await expect(reader.locate(httpRunSource(`${BASE}escape/`, servedFiles))).rejects.toThrow(
      /^checkpoint: expected http:\/\/models\.test\/escape\/checkpoints\/latest\.json to name a checkpoint folder of this run \(.+\), got '\.\.\/\.\.\/run\/checkpoints\/epoch-0002'\.$/,
    );
    await expect(reader.locate(httpRunSource(`${BASE}missing/`, servedFiles))).rejects.toThrow(CheckpointError);
    await expect(reader.locate(httpRunSource(`${BASE}missing/`, servedFiles))).rejects.toThrow(
      /^checkpoint: expected http:\/\/models\.test\/missing\/ a run folder with a checkpoint or a checkpoint folder, got neither\.$/,
    );
  });
});
