import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunFlags } from '../run-folder/run-flags';
import { fileRunSource } from './file-source';
import { loadRunImages, runDataFolder } from './run-data';

const root = mkdtempSync(join(tmpdir(), 'vaejs-run-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A run folder whose config keeps `flags` as an app's. */
function runWith(name: string, flags: Record<string, unknown> | null) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const config = {
    format: 'vaejs-run',
    version: 1,
    kind: 'vae',
    model: {},
    fit: {},
    data: { train: { name: 'mnist', size: 1 }, test: null },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...(flags ? { app: { command: 'train', flags } } : {}),
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return fileRunSource(dir);
}

describe("a run's data, found from its flags", () => {
  it('readRunFlags: the flags of app.flags, {} without a run, a config or flags', async () => {
    expect(await readRunFlags(runWith('a', { dataset: 'mnist', imageSize: 16 }))).toEqual({
      dataset: 'mnist',
      imageSize: 16,
    });
    expect(await readRunFlags(runWith('b', null))).toEqual({});
    expect(await readRunFlags(fileRunSource(join(root, 'none')))).toEqual({});
    expect(await readRunFlags(null)).toEqual({});
  });

  it('runDataFolder: a named dataset or a folder that is there; undefined when the run does not say', async () => {
    expect(await runDataFolder(runWith('c', { dataset: 'fashion-mnist' }), 'dataset')).toBe('fashion-mnist');
    expect(await runDataFolder(runWith('d', { codes: root }), 'codes')).toBe(root);
    expect(await runDataFolder(runWith('e', {}), 'codes')).toBeUndefined();
  });

  it('runDataFolder: a folder that moved is one line naming the config and the argument to give', async () => {
    const run = runWith('f', { codes: join(root, 'gone') });
    await expect(runDataFolder(run, 'codes', { fn: 'vaejs eval', argument: '--codes' })).rejects.toThrow(
      /^vaejs eval: expected the code maps the run was trained on at '.*gone' \(named by .*config\.json\), got no such folder: give --codes <folder>\.$/,
    );
  });

  it("loadRunImages: the run's images, first N of each split", async () => {
    const { train, test } = await loadRunImages(runWith('g', { dataset: 'mnist' }), { limit: 5, testLimit: 3 });
    expect([train.size, test.size]).toEqual([5, 3]);
  });
});
