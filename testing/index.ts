// Test helpers shared by every package's tests (aliased as `@vaejs/testing` in vitest.shared.ts; never published).
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export { findTorchPython, torchrunArgs } from './torch';

/**
 * A `fetch` that serves the files under `dir` at the URL `base` (ending in `/`), as a static web server would; anything
 * else, folders included, is a 404.
 */
export function serveFolder(dir: string, base: string): (url: string) => Promise<Response> {
  return async (url) => {
    const path = join(dir, url.slice(base.length));
    return url.startsWith(base) && existsSync(path) && statSync(path).isFile()
      ? new Response(new Uint8Array(readFileSync(path)))
      : new Response('', { status: 404, statusText: 'Not Found' });
  };
}

/**
 * A fresh copy of the run folders that vaejs 0.2.0 wrote (`fixtures/run-0.2.0`: `vae`, `vqvae`, `codes` and
 * `prior`, see its README), in a new temporary folder, for tests that read, sample or resume them.
 */
export function copyOfRun020(): string {
  const copy = mkdtempSync(join(tmpdir(), 'vaejs-run-0.2.0-'));
  cpSync(fileURLToPath(new URL('fixtures/run-0.2.0', import.meta.url)), copy, { recursive: true });
  return copy;
}

/**
 * Runs `fn` (sync or async) and asserts that the number of live tensors afterwards equals the number before,
 * after disposing whatever tensors `fn` returned. Returns what `fn` returned, read back to plain arrays.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await fn();
  disposeDeep(result);
  expect(tf.memory().numTensors, 'live tensors after the call').toBe(before);
}

function disposeDeep(value: unknown): void {
  if (value instanceof tf.Tensor) {
    value.dispose();
  } else if (Array.isArray(value)) {
    value.forEach(disposeDeep);
  } else if (value && typeof value === 'object' && !(value instanceof tf.Variable)) {
    Object.values(value).forEach(disposeDeep);
  }
}

/** Asserts two arrays are equal element-wise within an absolute plus relative tolerance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const bound = tolerance * (1 + Math.abs(e));
    if (!(Math.abs(a - e) <= bound)) {
      expect.fail(`index ${i}: ${a} differs from ${e} by more than ${bound}`);
    }
  }
}

export {
  BROWSER_SOURCES,
  CHROMIUM,
  CHROMIUM_ARGS,
  launchChromium,
  type RunInChromiumOptions,
  runInChromium,
  WEBGPU_ARGS,
} from './chromium';
