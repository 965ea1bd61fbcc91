// Builds the package with tsup (no .d.ts) and runs it in plain Node, ESM and CJS, as an app would: this is where
// registerGradients' fallback and the default backend loaders are really exercised (vitest transforms modules that
// plain Node cannot load).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
// Inside node_modules so that the built files resolve @tensorflow/* like the package would.
const outDir = join(packageRoot, 'node_modules', '.cache', `vaejs-dist-test-${process.pid}`);

const esmScript = `
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, registerGradients, gradientsRegistered } from './index.js';
const selection = await selectBackend({ backend: 'cpu' });
const before = gradientsRegistered();
const source = await registerGradients();
const again = await registerGradients();
const [gx, gw] = tf.grads((x, w) => tf.sum(tf.relu(tf.conv2d(x, w, 1, 'same'))))([tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 3])]);
console.log(JSON.stringify({ summary: selection.summary, before, source, again, gx: gx.shape, gw: gw.shape, gwSum: tf.sum(gw).dataSync()[0] }));
`;
const cjsScript = `
const tf = require('@tensorflow/tfjs-core');
const { selectBackend, registerGradients } = require('./index.cjs');
(async () => {
  const auto = await selectBackend({ loaders: { wasm: () => Promise.reject(new Error('not in this test')) } });
  const source = await registerGradients();
  const grad = tf.grad((x) => tf.sum(tf.matMul(x, x)))(tf.tensor2d([[1, 2], [3, 4]]));
  console.log(JSON.stringify({ summary: auto.summary, source, grad: Array.from(grad.dataSync()) }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function run(file: string): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, [file], { cwd: outDir, encoding: 'utf8', timeout: 60_000 });
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return JSON.parse(line ?? '{}');
}

describe('the built package in plain Node', () => {
  beforeAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    execFileSync(process.execPath, [tsupCli(), '--out-dir', outDir, '--no-dts', '--silent'], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    writeFileSync(join(outDir, 'check.mjs'), esmScript);
    writeFileSync(join(outDir, 'check.cjs'), cjsScript);
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('ESM: registerGradients falls back to the bundled copy and conv2d gradients work', () => {
    const result = run('check.mjs');
    expect(result).toMatchObject({
      summary: 'backend: cpu',
      before: false,
      source: 'bundled-copy',
      again: 'already-registered',
      gx: [1, 4, 4, 2],
      gw: [3, 3, 2, 3],
      // every output is positive, so dL/dw sums the input patches: (3 + 4 + 3)² valid (position, tap) pairs × 2 × 3
      gwSum: 600,
    });
  });

  it('CJS: auto skips the missing native packages; gradients come from the bundled copy', () => {
    const result = run('check.cjs');
    expect(result).toEqual({
      summary:
        'backend: cpu (tfjs-node-gpu: not installed; tfjs-node: not installed; tfjs-backend-wasm: failed to load: not in this test)',
      source: 'bundled-copy',
      grad: [7, 11, 9, 13],
    });
  });
});

/** tsup's CLI, resolved from this package (it is a root devDependency). */
function tsupCli(): string {
  const require = createRequire(join(packageRoot, 'package.json'));
  return join(dirname(require.resolve('tsup/package.json')), 'dist', 'cli-default.js');
}
