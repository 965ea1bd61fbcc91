import { describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset } from './__fixtures__/tiny-model';
import * as browser from './index';
import * as node from './index.node';

describe('the two entries', () => {
  it('Node exports every name of the browser entry, plus the file-system ones; fit differs (run folders)', () => {
    const missing = Object.keys(browser).filter((name) => !(name in node));
    expect(missing).toEqual([]);
    expect(
      Object.keys(node)
        .filter((name) => !(name in browser))
        .sort(),
    ).toEqual(
      [
        'acquireLockFile',
        'acquireRunLock',
        'loadRunImages',
        'runDataFolder',
        'archiveRunSource',
        'isRunArchive',
        'unpackRunArchive',
        'barChart',
        'fileIO',
        'fileRunSource',
        'findLatestCheckpoint',
        'imageGrid',
        'lineChart',
        'listCheckpoints',
        'loadNamedTensors',
        'memoryFigures',
        'niceTicks',
        'openRunFolder',
        'readBridgeFolder',
        'bridgeConfigOf',
        'bridgeDataset',
        'checkpointOptimizerSlots',
        'writeBridgeRun',
        'readCheckpointFolder',
        'replaceFileDurable',
        'saveNamedTensors',
        'writeBridgeFolder',
        'writeFileDurable',
        'writeImageGrid',
        'writePng',
        'writeRunFolder',
        'createScalarWriter',
        'osErrorLine',
        'tensorBoard',
        'exportBridgeFolder',
      ].sort(),
    );
    expect(node.fit).not.toBe(browser.fit);
  });

  it("the browser entry's fit trains with callbacks and refuses a run folder in one line", async () => {
    const model = createTinyModel();
    const data = { train: tinyDataset(16, 1) };
    await expect(browser.fit(model, data, { runDir: 'x', verbose: 0 })).rejects.toThrow(
      /^fit: expected options\.runDir no run folder here \(no file system: use callbacks\), got 'x'\.$/,
    );
    const epochs: number[] = [];
    const onEpochEnd = (record: { epoch: number }) => {
      epochs.push(record.epoch);
    };
    const history = await browser.fit(model, data, { epochs: 2, verbose: 0, callbacks: [{ onEpochEnd }] });
    expect(epochs).toEqual([1, 2]);
    expect(history.stopReason).toBe('completed');
    model.dispose();
  });
});

describe('the browser entry bundled for a browser', () => {
  it('holds no Node builtin and no node/ module (IndexedDB, zip and the run reader included)', async () => {
    const { builtinModules } = await import('node:module');
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [new URL('./index.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@vaejs/core', '@vaejs/datasets', '@tensorflow/tfjs-core'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('run-files/indexeddb.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('/node/') || input.includes('pngjs'))).toEqual([]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    expect(imports.filter((path) => builtins.has(path) || path.startsWith('node:'))).toEqual([]);
  });
});
