import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BridgeConfig } from '../bridge-format';
import { encodeSafetensors } from '../safetensors';
import { readBridgeFolder, writeBridgeFolder } from './bridge-folder';

const root = mkdtempSync(join(tmpdir(), 'vaejs-bridge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config: BridgeConfig = {
  format: 'vaejs-pytorch',
  version: 1,
  kind: 'tiny',
  model: { pixels: 2, code: 1 },
  state: {},
  optimizer: { name: 'sgd', learningRate: 0.1, order: [] },
  training: {
    epoch: 1,
    step: 2,
    history: [],
    rng: null,
    fit: {},
    data: { train: { name: 'tiny', size: 4 }, test: null },
    app: null,
    dataset: {},
  },
};
const weights = { w0: { dtype: 'float32' as const, shape: [2, 1], data: Float32Array.of(1, 2) } };
const optimizer = { iter: { dtype: 'int32' as const, shape: [], data: Int32Array.of(2) } };

describe('bridge folders on disk', () => {
  it('writes config.json, model.safetensors, optimizer.safetensors and the extra files, and reads them back', () => {
    const dir = join(root, 'a', 'exported');
    writeBridgeFolder(
      dir,
      { config, weights, optimizer },
      { extra: (folder) => writeFileSync(join(folder, 'README.md'), 'hi') },
    );
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'optimizer.safetensors']);
    expect(readdirSync(join(root, 'a'))).toEqual(['exported']);
    const read = readBridgeFolder(dir);
    expect(read.config).toEqual(config);
    expect(Array.from(read.weights.w0?.data ?? [])).toEqual([1, 2]);
    expect(read.optimizer?.iter?.data[0]).toBe(2);
  });

  it('refuses a folder with files, leaving it as it was', () => {
    const dir = join(root, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'mine.txt'), 'keep');
    expect(() =>
      writeBridgeFolder(dir, { config, weights, optimizer }, { fn: 'vaejs export', argument: '--out' }),
    ).toThrow(/^vaejs export: expected --out a new or empty folder, got '.*full', which holds files\.$/);
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });

  it('names the file and the field of a bad folder in one line', () => {
    const dir = join(root, 'bad');
    writeBridgeFolder(dir, { config, weights, optimizer });
    const read = () => readBridgeFolder(dir, { fn: 'vaejs import' });
    writeFileSync(join(dir, 'model.safetensors'), Buffer.from([255, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(read).toThrow(/^vaejs import: expected model\.safetensors header length at most 1 bytes, got 255\.$/);
    writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(weights));
    rmSync(join(dir, 'optimizer.safetensors'));
    expect(read).toThrow(/^vaejs import: expected file .*bad\/optimizer\.safetensors, got none\.$/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, format: 'vaejs-run' }));
    expect(read).toThrow(/^vaejs import: expected .*bad\/config\.json format 'vaejs-pytorch', got 'vaejs-run'\.$/);
    expect(() => readBridgeFolder(join(root, 'none'), { fn: 'vaejs import', argument: '--from' })).toThrow(
      /^vaejs import: expected --from a folder written by vaejs export or vaejs_torch\.train, got '.*none' \(no such folder\)\.$/,
    );
    expect(existsSync(join(root, 'none'))).toBe(false);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toContain('vaejs-run');
  });
});
