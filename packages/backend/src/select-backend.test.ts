import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPackageNotFound, selectBackend } from './select-backend';

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/dist/cli.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
// What tfjs-node throws when installed without its native binary.
const missingBinary = () =>
  Object.assign(
    new Error(
      "Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'\nRequire stack:\n- /app/node_modules/@tensorflow/tfjs-node/dist/index.js",
    ),
    { code: 'MODULE_NOT_FOUND' },
  );

afterEach(async () => {
  // Whatever a test did, the others run on cpu.
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('selectBackend', () => {
  it('auto skips a missing package and one that throws on load, with reasons', async () => {
    const selection = await selectBackend({
      loaders: {
        'node-gpu': () => Promise.reject(notFound('@tensorflow/tfjs-node-gpu')),
        node: () => Promise.reject(missingBinary()),
        wasm: () => Promise.reject(new Error('wasm disabled by the test\nsecond line')),
      },
    });
    expect(selection.name).toBe('cpu');
    expect(selection.tfBackendName).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selection.skipped.map(({ name, reason }) => ({ name, reason }))).toEqual([
      { name: 'node-gpu', reason: 'not installed' },
      {
        name: 'node',
        reason:
          "failed to load: Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'",
      },
      { name: 'wasm', reason: 'failed to load: wasm disabled by the test' },
    ]);
    expect(selection.summary).toBe(
      "backend: cpu (tfjs-node-gpu: not installed; tfjs-node: failed to load: Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'; tfjs-backend-wasm: failed to load: wasm disabled by the test)",
    );
  });

  it('auto with the real loaders never crashes on the missing native packages', async () => {
    // tfjs-node(-gpu) are not installed here; wasm is skipped by a loader to keep this test on cpu.
    const selection = await selectBackend({ loaders: { wasm: () => Promise.reject(new Error('skip')) } });
    expect(selection.name).toBe('cpu');
    expect(selection.skipped.slice(0, 2)).toMatchObject([
      { name: 'node-gpu', reason: 'not installed' },
      { name: 'node', reason: 'not installed' },
    ]);
  });

  it('chooses cpu when asked', async () => {
    const selection = await selectBackend({ backend: 'cpu' });
    expect(selection).toMatchObject({ name: 'cpu', tfBackendName: 'cpu', skipped: [], summary: 'backend: cpu' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('initialises the real wasm backend in Node', async () => {
    const selection = await selectBackend({ backend: 'wasm' });
    expect(selection.summary).toBe('backend: wasm');
    expect(tf.getBackend()).toBe('wasm');
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await product.data())).toEqual([11]);
    tf.dispose(product);
  });

  it('throws a ConfigError naming an explicit backend that fails, and why', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    await expect(selectBackend({ backend: 'node', resolveFrom: ['/nonexistent/project'] })).rejects.toThrow(
      `selectBackend: expected options.backend 'node' to load, got tfjs-node: not installed (looked beside @vaejs/backend (${here}) and from /nonexistent/project; to use it, run: npm install @tensorflow/tfjs-node).`,
    );
    await expect(
      selectBackend({ backend: 'node', loaders: { node: () => Promise.reject(notFound('@tensorflow/tfjs-node')) } }),
    ).rejects.toThrow(/got tfjs-node: not installed \(npm install @tensorflow\/tfjs-node\)\.$/);
    await expect(
      selectBackend({ backend: 'node-gpu', loaders: { 'node-gpu': () => Promise.reject(missingBinary()) } }),
    ).rejects.toThrow(
      /^selectBackend: expected options\.backend 'node-gpu' to load, got tfjs-node-gpu: failed to load: Cannot find module '.*tfjs_binding\.node'\.$/,
    );
    await expect(
      selectBackend({ backend: 'node-gpu', loaders: { 'node-gpu': async () => undefined } }),
    ).rejects.toThrow(
      /^selectBackend: expected options\.backend 'node-gpu' to load, got tfjs-node-gpu: loaded but registered no 'tensorflow' backend \(two copies of @tensorflow\/tfjs-core\?\)\.$/,
    );
    await expect(
      selectBackend({ backend: 'wasm', loaders: { wasm: () => Promise.reject('a string') } }),
    ).rejects.toThrow(ConfigError);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports a backend whose initialisation fails', async () => {
    const warn = console.warn;
    console.warn = () => {}; // tfjs logs the factory's error
    try {
      const selection = await selectBackend({
        loaders: {
          'node-gpu': async () => {
            tf.registerBackend('tensorflow', () => {
              throw new Error('no CUDA device');
            });
          },
        },
        backend: 'node-gpu',
      }).catch((error: Error) => error);
      expect(selection).toBeInstanceOf(ConfigError);
      expect((selection as Error).message).toBe(
        "selectBackend: expected options.backend 'node-gpu' to load, got tfjs-node-gpu: failed to initialise.",
      );
    } finally {
      console.warn = warn;
      tf.removeBackend('tensorflow');
    }
  });

  it('throws when auto finds nothing', async () => {
    const fail = () => Promise.reject(new Error('nope'));
    await expect(selectBackend({ loaders: { 'node-gpu': fail, node: fail, wasm: fail, cpu: fail } })).rejects.toThrow(
      /^selectBackend: expected options\.backend 'auto' to find a usable backend, got tfjs-node-gpu: failed to load: nope; tfjs-node: failed to load: nope; tfjs-backend-wasm: failed to load: nope; tfjs-backend-cpu: failed to load: nope\.$/,
    );
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend({ backend: 'webgl' as 'cpu' })).rejects.toThrow(
      /^selectBackend: expected options\.backend one of auto \| node-gpu \| node \| wasm \| cpu, got 'webgl'\.$/,
    );
  });
});

describe('isPackageNotFound', () => {
  it('tells a missing package from a missing file inside it', () => {
    expect(isPackageNotFound(notFound('@tensorflow/tfjs-node'), '@tensorflow/tfjs-node')).toBe(true);
    const cjs = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node'\nRequire stack:\n- /a.js"), {
      code: 'MODULE_NOT_FOUND',
    });
    expect(isPackageNotFound(cjs, '@tensorflow/tfjs-node')).toBe(true);
    expect(isPackageNotFound(missingBinary(), '@tensorflow/tfjs-node')).toBe(false);
    expect(isPackageNotFound(notFound('@tensorflow/tfjs-node-gpu'), '@tensorflow/tfjs-node')).toBe(false);
    expect(isPackageNotFound(new Error('segfault'), '@tensorflow/tfjs-node')).toBe(false);
  });
});
