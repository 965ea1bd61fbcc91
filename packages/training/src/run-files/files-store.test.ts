// A run folder held as files: fit writes it through `store` as it writes one on disk, resumes from it bit for bit,
// never lets a broken checkpoint replace a good one, and the reader reads it as it reads files and HTTP.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset, tinyLoader } from '../__fixtures__/tiny-model';
import { fit } from '../index.node';
import { createRunReader } from '../run-folder/run-reader';
import { filesRunSource } from './files-source';
import { openFilesRun } from './files-store';
import type { RunFiles } from './run-files';

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const quiet = { verbose: 0 as const, batchSize: 8, seed: 3 };
const text = (files: RunFiles, path: string) => new TextDecoder().decode(files.get(path));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-files-run-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every file of a folder on disk, as a run folder held as files. */
function filesOfFolder(root: string): RunFiles {
  const files: RunFiles = new Map();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path).split('\\').join('/'), new Uint8Array(readFileSync(path)));
    }
  };
  walk(root);
  return files;
}

describe('openFilesRun (a run folder in memory)', () => {
  it('holds what a run folder on disk holds: the same config, metrics and checkpoint files', async () => {
    const files: RunFiles = new Map();
    const persisted: string[][] = [];
    const store = openFilesRun(files, {
      resume: false,
      persist: async (next) => void persisted.push([...next.keys()]),
    });
    const model = createTinyModel();
    await fit(model, data, { ...quiet, epochs: 2, store, runInfo: { command: 'test' } });
    await fit(createTinyModel(), data, {
      ...quiet,
      epochs: 2,
      runDir: join(dir, 'disk'),
      runInfo: { command: 'test' },
    });
    const disk = filesOfFolder(join(dir, 'disk'));
    const withoutPictures = [...disk.keys()].filter((path) => !path.endsWith('.png')).sort();
    expect([...files.keys()].sort()).toEqual(withoutPictures);
    expect(text(files, 'checkpoints/latest.json')).toBe('{"checkpoint":"epoch-0002"}');
    expect(text(files, 'metrics.jsonl').trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(text(files, 'config.json'))).toMatchObject({
      format: 'vaejs-run',
      kind: 'tiny',
      app: { command: 'test' },
    });
    // the weights are the same bytes
    const weights = 'checkpoints/epoch-0002/weights/weights.bin';
    expect(Array.from(files.get(weights) ?? [])).toEqual(Array.from(disk.get(weights) ?? []));
    // persisted once per checkpoint, each time a whole folder with its checkpoint in it
    expect(persisted).toHaveLength(2);
    expect(persisted[0]).toContain('checkpoints/epoch-0001/checkpoint.json');
    expect(persisted[0]).toContain('metrics.jsonl');
    model.dispose();
  });

  it('resumes bit-identical to an uninterrupted run, also from a step checkpoint of a stop signal', async () => {
    const straight = createTinyModel();
    await fit(straight, data, { ...quiet, epochs: 3 });
    const files: RunFiles = new Map();
    const stop = new AbortController();
    const first = createTinyModel();
    const onBatchEnd = (logs: { step: number }) => (logs.step === 7 ? stop.abort() : undefined);
    const cut = await fit(first, data, {
      ...quiet,
      epochs: 3,
      store: openFilesRun(files, { resume: false }),
      signal: stop.signal,
      callbacks: [{ onBatchEnd }],
    });
    expect(cut.stopReason).toBe('stopped');
    expect(text(files, 'checkpoints/latest.json')).toBe('{"checkpoint":"step-00000007"}');
    first.dispose();
    const second = createTinyModel({ seed: 9 });
    const history = await fit(second, data, { ...quiet, epochs: 3, store: openFilesRun(files, { resume: true }) });
    expect(history.epochs).toEqual([1, 2, 3]);
    expect(Array.from(second.weights())).toEqual(Array.from(straight.weights()));
    straight.dispose();
    second.dispose();
  });

  it('refuses a new run over a checkpoint and a resume without one, in one line', async () => {
    const files: RunFiles = new Map();
    expect(() => openFilesRun(files, { resume: true, location: 'indexeddb:x/' })).toThrow(
      /^fit: expected options\.resume a checkpoint in indexeddb:x\/, got none \(start a new run without resume\)\.$/,
    );
    const model = createTinyModel();
    await fit(model, data, { ...quiet, store: openFilesRun(files, { resume: false }) });
    expect(() => openFilesRun(files, { resume: false })).toThrow(
      /^fit: expected options\.store a new run folder.*has checkpoint memory\/checkpoints\/epoch-0001\/\.$/,
    );
    await expect(
      fit(model, data, { ...quiet, store: openFilesRun(files, { resume: 'auto' }), runDir: 'x' }),
    ).rejects.toThrow(/^fit: expected options\.store no runDir beside it \(one run folder\), got both\.$/);
    model.dispose();
  });

  it('never lets a checkpoint with non-finite weights replace a good one, nor persists it', async () => {
    const files: RunFiles = new Map();
    const persisted: number[] = [];
    const store = openFilesRun(files, {
      resume: false,
      location: 'indexeddb:nan/',
      persist: async () => void persisted.push(1),
    });
    const model = createTinyModel();
    await fit(model, data, { ...quiet, store });
    const before = new Map(files);
    model.variables[0]?.assign(tf.fill(model.variables[0].shape, Number.NaN));
    const info = {
      format: 'vaejs-checkpoint' as const,
      version: 1 as const,
      kind: 'tiny',
      epoch: 2,
      step: 10,
      state: {},
    };
    await expect(
      store.writeCheckpoint({ info, saveModel: (io) => model.save(io), optimizerState: [] }, 2),
    ).rejects.toThrow(
      /^checkpoint: expected part 'weights' weight 'w0' finite values, got NaN at 0\. Not saved; the last good checkpoint is indexeddb:nan\/checkpoints\/epoch-0001\/\.$/,
    );
    expect(files).toEqual(before);
    expect(persisted).toHaveLength(1);
    model.dispose();
  });

  it('keeps what was saved when its guard refuses a checkpoint (a backend that died)', async () => {
    const files: RunFiles = new Map();
    let lost = false;
    const persisted: number[] = [];
    const guard = () => {
      if (lost) throw new Error('webgl: the context was lost');
    };
    const store = openFilesRun(files, { resume: false, guard, persist: async () => void persisted.push(1) });
    const model = createTinyModel();
    const onEpochEnd = () => {
      lost = true;
    };
    await expect(fit(model, data, { ...quiet, epochs: 2, store, callbacks: [{ onEpochEnd }] })).rejects.toThrow(
      /^webgl: the context was lost$/,
    );
    expect(new TextDecoder().decode(files.get('checkpoints/latest.json'))).toBe('{"checkpoint":"epoch-0001"}');
    expect(persisted).toHaveLength(1);
    model.dispose();
  });

  it('keeps what was saved when persisting fails', async () => {
    const files: RunFiles = new Map();
    const store = openFilesRun(files, {
      resume: false,
      persist: async () => {
        throw new Error('QuotaExceededError');
      },
    });
    const model = createTinyModel();
    await expect(fit(model, data, { ...quiet, store })).rejects.toThrow(/QuotaExceededError/);
    expect([...files.keys()].some((path) => path.startsWith('checkpoints/'))).toBe(false);
    model.dispose();
  });
});

describe('filesRunSource (the reader over files)', () => {
  it('reads a run, one of its checkpoints, and a bare model folder, as the reader over disk does', async () => {
    const files: RunFiles = new Map();
    const model = createTinyModel();
    await fit(model, data, { ...quiet, epochs: 2, store: openFilesRun(files, { resume: false }) });
    const reader = createRunReader([tinyLoader]);
    const run = await reader.locate(filesRunSource(files, 'dropped run'), { kinds: ['tiny'] });
    expect(run).toMatchObject({ location: 'dropped run/checkpoints/epoch-0002/', kind: 'tiny', info: { epoch: 2 } });
    expect(run.run?.location).toBe('dropped run/');
    const loaded = await reader.load(run);
    expect(Array.from((loaded as typeof model).weights())).toEqual(Array.from(model.weights()));
    expect((await reader.readConfig(filesRunSource(files)))?.kind).toBe('tiny');
    // a checkpoint folder on its own, and the run it belongs to
    const checkpointFiles = new Map([...files].filter(([path]) => path.startsWith('checkpoints/epoch-0001/')));
    const inside = filesRunSource(files, 'run/checkpoints/epoch-0001/', 'checkpoints/epoch-0001/');
    expect((await reader.locate(inside)).run?.location).toBe('run/');
    expect(checkpointFiles.size).toBeGreaterThan(3);
    // a bare model: the manifest and its parts
    const bare = new Map(
      [...files]
        .filter(([path]) => path.startsWith('checkpoints/epoch-0002/'))
        .map(([path, bytes]) => [path.replace('checkpoints/epoch-0002/', ''), bytes] as const)
        .filter(([path]) => path !== 'checkpoint.json'),
    );
    expect((await reader.locate(filesRunSource(bare, 'bare'))).info).toBeNull();
    loaded.dispose();
    model.dispose();
  });

  it('refuses what leads outside the folder or does not read, naming the file', async () => {
    const files: RunFiles = new Map();
    const model = createTinyModel();
    await fit(model, data, { ...quiet, store: openFilesRun(files, { resume: false }) });
    const reader = createRunReader([tinyLoader]);
    const leaving = new Map(files).set('checkpoints/latest.json', new TextEncoder().encode('{"checkpoint":"../../x"}'));
    await expect(reader.locate(filesRunSource(leaving, 'drop'))).rejects.toThrow(
      /^checkpoint: expected drop\/checkpoints\/latest\.json to name a checkpoint folder of this run .*got '\.\.\/\.\.\/x'\.$/,
    );
    const truncated = new Map(files).set('checkpoints/epoch-0001/weights/weights.bin', new Uint8Array(10));
    await expect(reader.load(await reader.locate(filesRunSource(truncated, 'drop')))).rejects.toThrow(
      /load: expected part 'weights' weights exactly \d+ bytes, got 10 bytes\./,
    );
    const broken = new Map(files).set('checkpoints/epoch-0001/checkpoint.json', new TextEncoder().encode('{"format'));
    await expect(reader.locate(filesRunSource(broken, 'drop'))).rejects.toThrow(
      /^checkpoint: expected drop\/checkpoints\/epoch-0001\/checkpoint\.json readable JSON, got /,
    );
    await expect(reader.locate(filesRunSource(new Map([['notes.txt', new Uint8Array(1)]]), 'drop'))).rejects.toThrow(
      /^checkpoint: expected drop\/ a run folder with a checkpoint or a checkpoint folder, got neither\.$/,
    );
    model.dispose();
  });
});
