// The package's two entries: index.ts for Node, browser.ts for browsers and bundlers (package.json "exports").
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

describe('the browser entry', () => {
  it('bundles for the browser with no Node built-in, no native kernel and no Node thread set-up', async () => {
    const result = await build({
      entryPoints: [here('../src/browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // its dependency and peers: bundled by the user's bundler from their own browser builds
      external: ['@vaejs/core', '@tensorflow/*'],
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.endsWith('kernels/conv2d-backprop-filter.ts'))).toBe(true);
    const nodeOnly =
      /native|load-native|import-package|wasm-threads|select-backend|enable-fast-training|setup-backend\.ts$/;
    expect(inputs.filter((input) => !input.includes('/browser/') && nodeOnly.test(input))).toEqual([]);
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    expect(imports.filter((path) => builtins.has(path) || path.startsWith('node:'))).toEqual([]);
    expect([...new Set(imports)].sort()).toEqual([
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-core/dist/register_all_gradients.js',
      '@vaejs/core',
    ]);
  });

  it('package.json maps "." to the node build under "node" and to the browser build otherwise', () => {
    const manifest = JSON.parse(readFileSync(here('../package.json'), 'utf8'));
    const entry = (name: string) => ({
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    });
    expect(manifest.exports['.']).toEqual({
      node: entry('index'),
      browser: entry('browser'),
      default: entry('browser'),
    });
    expect(readFileSync(here('../tsup.config.ts'), 'utf8')).toContain(
      "entry: { index: 'src/index.ts', browser: 'src/browser.ts' }",
    );
  });
});
