/**
 * `setupBackend()` for browsers, pages and Web Workers alike: picks WebGPU → WebGL → wasm with the fast kernels → cpu,
 * passing over a GPU that is drawn in software (slower than wasm, `devices.ts`), registers the gradients, and turns on
 * fast training where there is some (the fast kernels on wasm — stock wasm cannot train a conv net: it has no filter
 * gradient — the filter gradient as one convolution on cpu, the freeing backward pass everywhere). Returns structured
 * facts and one display line; code reads the fields, never the line. No Node built-in is reached from here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf, ConfigError, describeValue, formatExpected } from '@vaejs/core';
import { installFreeingGradients, uninstallFreeingGradients } from '../freeing-gradients';
import { cpuKernelConfigs, kernelConfigs, registerFastKernels, restoreKernels } from '../kernels/register-fast-kernels';
import { type GradientSource, registerGradients } from '../register-gradients';
import { describeWebGl, SOFTWARE_RENDERER, webGlRenderer, webGpuAdapter } from './devices';

/** The backends of a browser, in the order `'auto'` tries them. */
export type BrowserBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BROWSER_BACKEND_NAMES: readonly BrowserBackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The npm package of each browser backend (optional peers of @vaejs/backend: install the ones you use). */
export const BROWSER_BACKEND_PACKAGES: Readonly<Record<BrowserBackendName, string>> = Object.freeze({
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
});

/** Options of the browser `setupBackend`; every field has a default. */
export interface BrowserSetupOptions {
  /** 'auto' (default): the first of webgpu, webgl, wasm, cpu that works and is not drawn in software; or one by name. */
  backend?: 'auto' | BrowserBackendName;
  /** Under 'auto', take a GPU drawn in software (SwiftShader…) too. Default false: wasm trains faster there. */
  allowSoftware?: boolean;
  /** The fast kernels on wasm and cpu and the freeing backward pass (default true). */
  fast?: boolean;
  /**
   * Where tfjs-backend-wasm's `.wasm` files are served, a folder URL (its `setWasmPaths`): pages that serve them
   * themselves (no CDN) say where. Default: tfjs' own (beside the script).
   */
  wasmPaths?: string;
  /** wasm threads (when the page is cross-origin isolated): tfjs' `setThreadsCount`. Default: tfjs' choice. */
  threads?: number;
  /**
   * How each backend's package is imported. Default: `import('@tensorflow/tfjs-backend-<name>')`, which a bundler
   * resolves; give your own to bundle fewer backends (a loader that throws skips its backend).
   */
  loaders?: Partial<Record<BrowserBackendName, () => Promise<unknown>>>;
}

/** What the browser `setupBackend` set up. */
export interface BrowserBackendSetup {
  name: BrowserBackendName;
  /** As tfjs knows it (`tf.getBackend()`). */
  tfBackendName: string;
  /** What it computes on: `google swiftshader` (a WebGPU adapter), a WebGL renderer, `SIMD, 2 threads`, … */
  device: string;
  /** True for a GPU backend drawn in software. */
  software: boolean;
  /** True when fast kernels are registered (wasm, cpu). */
  fast: boolean;
  /** wasm threads (1 elsewhere). */
  threads: number;
  freeingGradients: boolean;
  /** Backends tried before it, in order, and why each was passed over. */
  skipped: { name: BrowserBackendName; reason: string }[];
  gradients: GradientSource;
  /** Kernels replaced or added, as 'Name/backend' ('(added)' where stock tfjs has none). */
  kernels: string[];
  /** e.g. `backend: wasm, fast kernels (SIMD, 2 threads) (webgpu: no adapter; webgl: software renderer …)`. */
  summary: string;
}

const FN = 'setupBackend';

/**
 * Sets up tfjs for training in a browser (page or Web Worker). Call it once before making tensors; calling it again
 * re-applies it.
 * @throws ConfigError when the backend asked for (or, with 'auto', every backend) cannot be used, or for bad options
 * @example
 * import { setupBackend } from '@vaejs/backend'; // the browser build, by the package's export conditions
 * const setup = await setupBackend({ wasmPaths: new URL('wasm/', location.href).href });
 * setup.summary; // 'backend: wasm, fast kernels (SIMD, 2 threads) (webgpu: no adapter …; webgl: software renderer …)'
 */
export async function setupBackend(options: BrowserSetupOptions = {}): Promise<BrowserBackendSetup> {
  const requested = options.backend ?? 'auto';
  assertOneOf(FN, 'options.backend', requested, ['auto', ...BROWSER_BACKEND_NAMES]);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) {
    throw new ConfigError(formatExpected(FN, 'options.threads', 'a positive integer', describeValue(options.threads)));
  }
  const candidates = requested === 'auto' ? BROWSER_BACKEND_NAMES : [requested];
  const skipped: BrowserBackendSetup['skipped'] = [];
  restoreKernels();
  for (const name of candidates) {
    const tried = await tryBackend(name, options, requested === 'auto' && !options.allowSoftware);
    if ('reason' in tried) {
      skipped.push({ name, reason: tried.reason });
      continue;
    }
    const gradients = await registerGradients();
    const fast = (options.fast ?? true) && (name === 'wasm' || name === 'cpu');
    const kernels = fast ? registerFastKernels(name === 'wasm' ? kernelConfigs : cpuKernelConfigs) : [];
    if (options.fast ?? true) installFreeingGradients();
    else uninstallFreeingGradients();
    const threads = tried.threads;
    const device = name === 'wasm' ? `${wasmSimd() ? 'SIMD' : 'no SIMD'}, ${plural(threads)}` : tried.device;
    const detail = kernelsDetail(name, fast);
    const tail = skipped.length > 0 ? ` (${skipped.map((entry) => `${entry.name}: ${entry.reason}`).join('; ')})` : '';
    return {
      name,
      tfBackendName: name,
      device,
      software: tried.software,
      fast: name === 'wasm' && fast,
      threads,
      freeingGradients: options.fast ?? true,
      skipped,
      gradients,
      kernels,
      summary: `backend: ${name}${detail} (${device})${tail}`,
    };
  }
  if (requested !== 'auto') {
    throw new ConfigError(
      formatExpected(FN, `options.backend '${requested}'`, 'to work here', skipped[0]?.reason ?? 'no'),
    );
  }
  const reasons = skipped.map((entry) => `${entry.name}: ${entry.reason}`).join('; ');
  throw new ConfigError(formatExpected(FN, "options.backend 'auto'", 'a usable backend', reasons));
}

// helpers

/** Imports, initialises and checks one backend; its device, or why it is passed over. */
async function tryBackend(
  name: BrowserBackendName,
  options: BrowserSetupOptions,
  refuseSoftware: boolean,
): Promise<{ device: string; software: boolean; threads: number } | { reason: string }> {
  let device = name === 'cpu' ? 'plain JavaScript' : '';
  let software = false;
  if (name === 'webgpu') {
    const adapter = await webGpuAdapter();
    if (!adapter.available) return { reason: adapter.reason };
    ({ description: device, software } = adapter);
    if (software && refuseSoftware) return { reason: softwareReason('adapter', device) };
  }
  let module: unknown;
  try {
    module = await (options.loaders?.[name] ?? defaultLoader(name))();
  } catch (error) {
    return { reason: `${BROWSER_BACKEND_PACKAGES[name]} did not load: ${firstLine(error)}` };
  }
  const wasm = module as {
    setWasmPaths?(path: string): void;
    setThreadsCount?(n: number): void;
    getThreadsCount?(): number;
  };
  if (name === 'wasm') {
    if (options.wasmPaths)
      wasm.setWasmPaths?.(options.wasmPaths.endsWith('/') ? options.wasmPaths : `${options.wasmPaths}/`);
    if (options.threads) wasm.setThreadsCount?.(options.threads);
  }
  if (tf.findBackendFactory(name) === null)
    return { reason: `${BROWSER_BACKEND_PACKAGES[name]} registered no '${name}' backend` };
  // tfjs-backend-wasm's C++ side caps its thread pool at half the logical cores the browser reports; threads asked
  // for beyond that need the cap lifted while the module initialises (as wasm-threads.ts does with os.cpus in Node)
  const restore = name === 'wasm' && options.threads ? reportCores(2 * options.threads) : () => {};
  let failure: string | null;
  try {
    failure = await initialise(name);
  } finally {
    restore();
  }
  if (failure) return { reason: failure };
  if (name === 'webgl') {
    device = webGlRenderer();
    software = SOFTWARE_RENDERER.test(device);
    if (software && refuseSoftware) return { reason: softwareReason('renderer', device) };
    device = describeWebGl();
  }
  const threads = name === 'wasm' ? (wasm.getThreadsCount?.() ?? 1) : 1;
  return { device, software, threads };
}

/** Sets the backend and runs a trial op; the reason it fails, or null. */
async function initialise(name: BrowserBackendName): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return 'failed to initialise';
    await tf.ready();
    const check = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
    const value = (await check.data())[0];
    check.dispose();
    return value === 12 ? null : `computed 2·(1+2+3) = ${value}`;
  } catch (error) {
    return `failed to initialise: ${firstLine(error)}`;
  }
}

function defaultLoader(name: BrowserBackendName): () => Promise<unknown> {
  // Literal specifiers, so that bundlers find and bundle the backends an app has installed.
  switch (name) {
    case 'webgpu':
      return () => import('@tensorflow/tfjs-backend-webgpu');
    case 'webgl':
      return () => import('@tensorflow/tfjs-backend-webgl');
    case 'wasm':
      return () => import('@tensorflow/tfjs-backend-wasm');
    case 'cpu':
      return () => import('@tensorflow/tfjs-backend-cpu');
  }
}

/** Makes `navigator.hardwareConcurrency` report at least `cores` until the returned function is called. */
function reportCores(cores: number): () => void {
  const target = globalThis.navigator as Navigator | undefined;
  if (!target || (target.hardwareConcurrency ?? 0) >= cores) return () => {};
  try {
    Object.defineProperty(target, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return () => {};
  }
  return () => {
    delete (target as unknown as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

function softwareReason(what: 'adapter' | 'renderer', device: string): string {
  return `software ${what} (${device}), slower than wasm; ask for it by name to use it`;
}

function wasmSimd(): boolean {
  try {
    return tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  } catch {
    return false;
  }
}

/** What the summary says of the kernels: wasm's fast or stock ones, cpu's one replaced kernel, nothing on a GPU. */
function kernelsDetail(name: BrowserBackendName, fast: boolean): string {
  if (name === 'wasm') return fast ? ', fast kernels' : ', stock kernels';
  return name === 'cpu' && fast ? ', the filter gradient as one convolution' : '';
}

function plural(threads: number): string {
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((line) => line.trim() !== '') ?? text).trim().replace(/\.+$/, '');
}
