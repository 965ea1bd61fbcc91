// The package's two entries: index.ts for Node, browser.ts for browsers and bundlers (package.json "exports").
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DataError } from '@vaejs/core';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as browserEntry from './browser';
import * as nodeEntry from './index';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const NODE_ONLY = [
  'datasetSource',
  'loadCodeMaps',
  'loadDataset',
  'loadFashionMnist',
  'loadIdxFolder',
  'loadImageFolder',
  'loadMnist',
  'loadSplits',
  'readCodesManifest',
  'readIdxFile',
  'resolveMnistDataDir',
  'writeCodeMaps',
];

describe('package entries', () => {
  it('export the same names; the pure ones are the same objects', () => {
    const names = Object.keys(nodeEntry).sort();
    expect(Object.keys(browserEntry).sort()).toEqual(names);
    for (const name of names) {
      const same = (browserEntry as Record<string, unknown>)[name] === (nodeEntry as Record<string, unknown>)[name];
      expect(same, name).toBe(!NODE_ONLY.includes(name));
    }
  });

  it.each(NODE_ONLY)('the browser build of %s throws a DataError saying what to use instead', (name) => {
    const stub = (browserEntry as unknown as Record<string, () => unknown>)[name] as () => unknown;
    expect(stub).toThrow(DataError);
    expect(stub).toThrow(
      new RegExp(
        `^${name}: expected a Node\\.js runtime \\(it reads or writes files\\), got the browser build of @vaejs/datasets \\(in a browser, use .+\\)\\.$`,
      ),
    );
  });

  it('bundles the browser entry for the browser with no Node builtin and no node/ module', async () => {
    const result = await build({
      entryPoints: [here('./browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // The package's dependency and peers: bundled by the user's bundler from their own browser builds.
      external: ['@vaejs/core', '@tensorflow/tfjs-core'],
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('batches.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('/node/') || input.includes('pngjs'))).toEqual([]);
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    expect(imports.filter((path) => builtins.has(path) || path.startsWith('node:'))).toEqual([]);
    expect([...new Set(imports)].sort()).toEqual(['@tensorflow/tfjs-core', '@vaejs/core']);
  });

  it('package.json maps "." to the node build under "node" and to the browser build otherwise', () => {
    const manifest = JSON.parse(readFileSync(here('../package.json'), 'utf8'));
    const build = (name: string) => ({
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    });
    expect(manifest.exports['.']).toEqual({
      node: build('index'),
      browser: build('browser'),
      default: build('browser'),
    });
    expect(Object.keys(manifest.exports['.'])).toEqual(['node', 'browser', 'default']);
    const tsup = readFileSync(here('../tsup.config.ts'), 'utf8');
    expect(tsup).toContain("entry: { index: 'src/index.ts', browser: 'src/browser.ts' }");
  });
});
