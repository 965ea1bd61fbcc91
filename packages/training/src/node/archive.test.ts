import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset, tinyLoader } from '../__fixtures__/tiny-model';
import { fit } from '../index.node';
import { openFilesRun } from '../run-files/files-store';
import type { RunFiles } from '../run-files/run-files';
import { writeZip } from '../run-files/zip';
import { createRunReader } from '../run-folder/run-reader';
import { archiveRunSource, isRunArchive, unpackRunArchive } from './archive';

const data = { train: tinyDataset(40, 1, 'tiny-train'), test: tinyDataset(12, 2, 'tiny-test') };
const quiet = { verbose: 0 as const, batchSize: 8, seed: 3 };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaejs-archive-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('run folders in a zip archive, in Node', () => {
  it('are read as a run, and unpacked into a folder that fit resumes bit for bit', async () => {
    const files: RunFiles = new Map();
    const first = createTinyModel();
    await fit(first, data, { ...quiet, epochs: 1, store: openFilesRun(files, { resume: false }) });
    const archive = join(dir, 'tiny.zip');
    writeFileSync(archive, writeZip(files));
    expect(isRunArchive(archive)).toBe(true);
    expect(isRunArchive(dir)).toBe(false);
    const reader = createRunReader([tinyLoader]);
    const located = await reader.locate(await archiveRunSource(archive), { kinds: ['tiny'] });
    expect(located.location).toBe(`${archive}/checkpoints/epoch-0001/`);
    const loaded = await reader.load(located);
    expect(Array.from((loaded as typeof first).weights())).toEqual(Array.from(first.weights()));
    const folder = join(dir, 'tiny');
    expect(await unpackRunArchive(archive, folder)).toBe(files.size);
    await expect(unpackRunArchive(archive, folder)).rejects.toThrow(
      /^unpackRunArchive: expected dir a folder that does not exist yet, got '.+tiny'\.$/,
    );
    const straight = createTinyModel();
    await fit(straight, data, { ...quiet, epochs: 2 });
    const resumed = createTinyModel({ seed: 4 });
    await fit(resumed, data, { ...quiet, epochs: 2, runDir: folder, resume: true });
    expect(Array.from(resumed.weights())).toEqual(Array.from(straight.weights()));
    expect(readFileSync(join(folder, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    for (const model of [first, loaded, straight, resumed]) model.dispose();
  });

  it('writes nothing for an archive whose paths leave the folder', async () => {
    const archive = join(dir, 'evil.zip');
    writeFileSync(archive, writeZip(new Map([['../../escaped.txt', new Uint8Array(3)]])));
    await expect(unpackRunArchive(archive, join(dir, 'out'))).rejects.toThrow(/path a relative path inside the folder/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
