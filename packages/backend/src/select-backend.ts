/**
 * Backend selection for apps (libraries never pick a backend). `auto` tries, in order, tfjs-node-gpu, tfjs-node, wasm
 * and cpu, and takes the first that imports, registers and initialises; a backend that is not installed, or that
 * throws on import (tfjs-node without its native binary does), is skipped with a reason. A backend asked for by name
 * that fails is a ConfigError that says why. Packages are looked for beside @vaejs/backend and in the project being
 * run (import-package.ts).
 *
 * Node-oriented: in a browser, import and set the backend (webgl, wasm with `setWasmPaths`) yourself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf, ConfigError, formatExpected } from '@vaejs/core';
import { importOptionalPackage, isPackageNotFound, PackageNotFoundError } from './import-package';

export { isPackageNotFound };

/** A backend `selectBackend` knows how to load. */
export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** The npm package and the tfjs backend name behind each {@link BackendName}. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, { packageName: string; tfBackendName: string }>> =
  Object.freeze({
    'node-gpu': { packageName: '@tensorflow/tfjs-node-gpu', tfBackendName: 'tensorflow' },
    node: { packageName: '@tensorflow/tfjs-node', tfBackendName: 'tensorflow' },
    wasm: { packageName: '@tensorflow/tfjs-backend-wasm', tfBackendName: 'wasm' },
    cpu: { packageName: '@tensorflow/tfjs-backend-cpu', tfBackendName: 'cpu' },
  });

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Which backend to use; 'auto' (default) takes the first that works of node-gpu, node, wasm, cpu. */
  backend?: 'auto' | BackendName;
  /**
   * Replaces how a backend's package is imported (tests, or an app that bundles its own). Default: the package in
   * {@link BACKEND_PACKAGES}, imported from beside @vaejs/backend, else from the folders of `resolveFrom`.
   */
  loaders?: Partial<Record<BackendName, () => Promise<unknown>>>;
  /**
   * Folders whose node_modules the default loaders search when a package is not beside @vaejs/backend (default: the
   * running script's folder, then `process.cwd()`, the project's root).
   */
  resolveFrom?: readonly string[];
}

/** Why a backend was passed over. */
export interface SkippedBackend {
  name: BackendName;
  /** One line: 'not installed', 'failed to load: <first line of the error>', 'failed to initialise', … */
  reason: string;
  /**
   * For 'not installed': where it was looked for and what to run, e.g. `looked beside @vaejs/backend (…) and from
   * /app; to use it, run: npm install @tensorflow/tfjs-node`.
   */
  hint?: string;
  /** The error behind the reason, if any. */
  error?: unknown;
}

/** What {@link selectBackend} chose. */
export interface BackendSelection {
  name: BackendName;
  /** The name tfjs knows it by (`tf.getBackend()`): 'tensorflow', 'wasm' or 'cpu'. */
  tfBackendName: string;
  /** Backends tried before it, in order, with the reason each was skipped. */
  skipped: SkippedBackend[];
  /** One human line, e.g. `backend: wasm (tfjs-node-gpu: not installed; tfjs-node: failed to load: …)`. */
  summary: string;
}

/** The short name used in summaries: '@tensorflow/tfjs-node' → 'tfjs-node'. */
function shortName(name: BackendName): string {
  return BACKEND_PACKAGES[name].packageName.replace('@tensorflow/', '');
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Without a final period: the line is quoted inside messages that end with one.
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim().replace(/\.+$/, '');
}

function defaultLoader(name: BackendName, resolveFrom: readonly string[] | undefined): () => Promise<unknown> {
  const packageName = BACKEND_PACKAGES[name].packageName;
  return () => importOptionalPackage(packageName, resolveFrom ? { resolveFrom } : {});
}

/** Where a missing package was looked for (when known), and the command that installs it. */
function installHint(packageName: string, error: unknown): string {
  const install = `npm install ${packageName}`;
  return error instanceof PackageNotFoundError ? `looked ${error.searched}; to use it, run: ${install}` : install;
}

/** Imports, registers and initialises one backend; returns the reason it cannot be used, or null on success. */
async function tryBackend(
  name: BackendName,
  loader: () => Promise<unknown>,
): Promise<{ reason: string; hint?: string; error?: unknown } | null> {
  const { packageName, tfBackendName } = BACKEND_PACKAGES[name];
  try {
    await loader();
  } catch (error) {
    if (isPackageNotFound(error, packageName)) {
      return { reason: 'not installed', hint: installHint(packageName, error), error };
    }
    return { reason: `failed to load: ${firstLine(error)}`, error };
  }
  if (tf.findBackendFactory(tfBackendName) === null) {
    return { reason: `loaded but registered no '${tfBackendName}' backend (two copies of @tensorflow/tfjs-core?)` };
  }
  try {
    const ok = await tf.setBackend(tfBackendName);
    if (!ok) return { reason: 'failed to initialise' };
    await tf.ready();
  } catch (error) {
    return { reason: `failed to initialise: ${firstLine(error)}`, error };
  }
  return null;
}

/** 'tfjs-node-gpu: not installed; tfjs-node: …', for summaries. */
export function describeSkipped(skipped: readonly SkippedBackend[]): string {
  return skipped.map((entry) => `${shortName(entry.name)}: ${entry.reason}`).join('; ');
}

/**
 * Imports and sets a tfjs backend for an app, and says which one runs and why the others did not. Most apps call
 * `setupBackend()`, which does this and more.
 * @param options `{ backend? = 'auto', loaders?, resolveFrom? }`
 * @returns `{ name, tfBackendName, skipped, summary }`
 * @throws ConfigError when the backend asked for (or, with 'auto', every backend) cannot be used
 * @example
 * const { summary } = await selectBackend();   // or selectBackend({ backend: 'wasm' })
 * console.log(summary);                         // backend: wasm (tfjs-node-gpu: not installed; tfjs-node: not installed)
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  return selectBackendFor('selectBackend', options);
}

/** `selectBackend`, with errors that name `fn`, the function the caller called (setupBackend uses it). */
export async function selectBackendFor(fn: string, options: SelectBackendOptions): Promise<BackendSelection> {
  const requested = options.backend ?? 'auto';
  assertOneOf(fn, 'options.backend', requested, ['auto', ...BACKEND_NAMES]);
  const candidates = requested === 'auto' ? BACKEND_NAMES : [requested];
  const skipped: SkippedBackend[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name, options.loaders?.[name] ?? defaultLoader(name, options.resolveFrom));
    if (failure === null) {
      const tail = skipped.length > 0 ? ` (${describeSkipped(skipped)})` : '';
      return { name, tfBackendName: BACKEND_PACKAGES[name].tfBackendName, skipped, summary: `backend: ${name}${tail}` };
    }
    skipped.push({ name, ...failure });
  }
  if (requested !== 'auto') {
    const entry = skipped[0] as SkippedBackend;
    const hint = entry.hint ? ` (${entry.hint})` : '';
    throw new ConfigError(
      formatExpected(
        fn,
        `options.backend '${requested}'`,
        'to load',
        `${shortName(entry.name)}: ${entry.reason}${hint}`,
      ),
    );
  }
  throw new ConfigError(
    formatExpected(fn, "options.backend 'auto'", 'to find a usable backend', describeSkipped(skipped)),
  );
}
