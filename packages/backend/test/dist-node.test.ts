// Builds the package with tsup (no .d.ts) and runs it in plain Node, ESM and CJS, as an app would: this is where
// registerGradients' fallback, the default backend loaders (and where they look) and a script's exit are really
// exercised (vitest transforms modules that plain Node cannot load, and keeps its own process alive).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
// Inside node_modules so that the built files resolve @tensorflow/* like the package would.
const outDir = join(packageRoot, 'node_modules', '.cache', `vaejs-dist-test-${process.pid}`);
// A project folder below it with its own node_modules: only found through process.cwd().
const projectDir = join(outDir, 'project');

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
  console.log(JSON.stringify({ summary: auto.summary, hint: auto.skipped[0].hint, source, grad: Array.from(grad.dataSync()) }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

// A stand-in for tfjs-node(-gpu) (whose install downloads libtensorflow): registers a 'tensorflow' backend.
const fakeNativeIndex = `
const tf = require('@tensorflow/tfjs-core');
const { MathBackendCPU } = require('@tensorflow/tfjs-backend-cpu');
globalThis.fakeNativeLoaded = [...(globalThis.fakeNativeLoaded || []), __filename];
if (tf.findBackendFactory('tensorflow') == null) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 0);
`;
const nativeScript = (entry: string) => `
import { selectBackend } from '${entry}';
const auto = await selectBackend();
const node = await selectBackend({ backend: 'node' });
console.log(JSON.stringify({ auto: auto.summary, node: node.summary, loaded: globalThis.fakeNativeLoaded }));
`;

/** A script that sets up a backend, trains a small conv + dense model a few steps, and leaves its tensors alive. */
const trainScript = (options: string) => `
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './index.js';
const setup = await setupBackend(${options});
const x = tf.randomNormal([16, 8, 8, 1], 0, 1, 'float32', 1);
const y = tf.randomNormal([16, 1], 0, 1, 'float32', 2);
const filter = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.3, 'float32', 3));
const dense = tf.variable(tf.randomNormal([64, 1], 0, 0.1, 'float32', 4));
const optimizer = tf.train.adam(0.01);
const losses = [];
for (let step = 0; step < 5; step++) {
  const loss = optimizer.minimize(() => {
    const h = tf.reshape(tf.relu(tf.conv2d(x, filter, 2, 'same')), [16, 64]);
    return tf.losses.meanSquaredError(y, tf.matMul(h, dense));
  }, true);
  losses.push(loss.dataSync()[0]);
  loss.dispose();
}
// x, y, the variables and the optimizer's slots stay alive on purpose: the process must exit anyway.
console.log(JSON.stringify({ name: setup.name, fast: setup.fast, threads: setup.threads, losses, live: tf.memory().numTensors }));
`;

function run(file: string, cwd = outDir): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, [join(outDir, file)], { cwd, encoding: 'utf8', timeout: 60_000 });
  return lastJson(stdout);
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return JSON.parse(line ?? '{}');
}

function fakePackage(folder: string, name: string): string {
  const dir = join(folder, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), fakeNativeIndex);
  return join(dir, 'index.js');
}

beforeAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  execFileSync(process.execPath, [tsupCli(), '--out-dir', outDir, '--no-dts', '--silent'], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  writeFileSync(join(outDir, 'check.mjs'), esmScript);
  writeFileSync(join(outDir, 'check.cjs'), cjsScript);
  writeFileSync(join(outDir, 'train-wasm.mjs'), trainScript("{ backend: 'wasm', threads: 2 }"));
  writeFileSync(
    join(outDir, 'throw-wasm.mjs'),
    `import { setupBackend } from './index.js';\nawait setupBackend({ backend: 'wasm', threads: 2 });\nthrow new Error('the user script failed');\n`,
  );
  writeFileSync(join(outDir, 'train-cpu.mjs'), trainScript("{ backend: 'cpu' }"));
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the built package in plain Node', () => {
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

  it('CJS: auto skips the missing native packages, saying where it looked; gradients come from the bundled copy', () => {
    const result = run('check.cjs');
    expect(result).toEqual({
      summary:
        'backend: cpu (tfjs-node-gpu: not installed; tfjs-node: not installed; tfjs-backend-wasm: failed to load: not in this test)',
      // the script's folder and cwd are the same here: looked there once
      hint: `looked beside @vaejs/backend (${outDir}) and from ${outDir}; to use it, run: npm install @tensorflow/tfjs-node-gpu`,
      source: 'bundled-copy',
      grad: [7, 11, 9, 13],
    });
  });
});

describe('tfjs-node and tfjs-node-gpu, found where a user installs them', () => {
  it('beside @vaejs/backend (normal resolution) and at the project root (cwd)', () => {
    const beside = fakePackage(outDir, '@tensorflow/tfjs-node');
    const atRoot = fakePackage(projectDir, '@tensorflow/tfjs-node-gpu');
    // The script lives in the project and imports the built package by path, as one installed elsewhere.
    writeFileSync(join(projectDir, 'native.mjs'), nativeScript('../index.js'));
    const stdout = execFileSync(process.execPath, ['native.mjs'], {
      cwd: projectDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(lastJson(stdout)).toEqual({ auto: 'backend: node-gpu', node: 'backend: node', loaded: [atRoot, beside] });
  });
});

describe('a script that uses setupBackend exits by itself, whatever tensors are alive', () => {
  it.each([
    ['wasm with 2 threads (worker_threads)', 'train-wasm.mjs', { name: 'wasm', fast: true, threads: 2 }],
    ['cpu', 'train-cpu.mjs', { name: 'cpu', fast: false, threads: 1 }],
  ])(
    '%s',
    (_, file, expected) => {
      const start = Date.now();
      const child = spawnSync(process.execPath, [file], { cwd: outDir, encoding: 'utf8', timeout: 60_000 });
      const seconds = (Date.now() - start) / 1000;
      expect(child.error, `still running after ${seconds.toFixed(0)} s`).toBeUndefined();
      expect(child.signal).toBeNull();
      expect(child.status, child.stderr).toBe(0);
      const result = lastJson(child.stdout) as { losses: number[]; live: number };
      expect(result).toMatchObject(expected);
      expect(result.losses).toHaveLength(5);
      expect(result.losses[4]!).toBeLessThan(result.losses[0]!);
      expect(result.live).toBeGreaterThanOrEqual(4 + 4); // x, y, two variables, Adam's two slots per variable
    },
    70_000,
  );
});

describe("a script's own errors after setupBackend on wasm", () => {
  it("end as Node reports them (exit 1, the error first), not through the wasm glue's rethrowing handlers", () => {
    const child = spawnSync(process.execPath, ['throw-wasm.mjs'], { cwd: outDir, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    const lines = child.stderr.split('\n').filter((line) => line.trim() !== '');
    // Node prints the throwing line of the script, a caret, then the error: no line of tfjs' minified bundle
    expect(child.stderr).toMatch(/Error: the user script failed/);
    expect(
      lines.every((line) => line.length < 400),
      'no page-long line of minified source',
    ).toBe(true);
  }, 70_000);
});

/** tsup's CLI, resolved from this package (it is a root devDependency). */
function tsupCli(): string {
  const require = createRequire(join(packageRoot, 'package.json'));
  return join(dirname(require.resolve('tsup/package.json')), 'dist', 'cli-default.js');
}
