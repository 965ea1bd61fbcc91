// Opt-in fast training paths for tfjs-backend-wasm (and an honest no-op report elsewhere). Nothing here runs on
// import: the application calls enableFastTraining() after choosing its backend and before building models.

import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { installFreeingGradients, uninstallFreeingGradients } from './freeing-gradients';
import {
  cpuKernelConfigs,
  nativeKernelConfigs,
  registerFastKernels,
  restoreKernels,
} from './kernels/register-all-kernels';
import { type NativeInfo, setNativeAddon } from './kernels/utils/native-addon';
import { loadNativeAddon, type NativeLoader } from './load-native';
import { installNativeAdam, uninstallNativeAdam } from './native-adam';
import {
  availableWasmThreads,
  currentWasmThreads,
  disableWasmThreads,
  enableWasmThreads,
  isNode,
  wasmThreadsEnabled,
} from './wasm-threads';

/** Options of `enableFastTraining`. */
export interface FastTrainingOptions {
  /**
   * Threads in Node: with the native kernels, the threads they compute on (default 1: on a loaded machine more lose);
   * otherwise XNNPACK's threads for the wasm backend (default 'all'). A count, or 'all' logical cores (at most 8).
   */
  threads?: number | 'all';
  /**
   * The native kernels (@vaejs/backend-native: oneDNN matMuls and convolutions, Adam in one pass) on the wasm
   * backend: 'auto' uses them when the addon loads and says why not otherwise, true requires them (throws
   * ConfigError when they do not load), false (default here; setupBackend's default is 'auto') never loads them.
   */
  native?: boolean | 'auto';
  /** Replaces how the native addon is loaded (tests, or an app that ships its own). */
  nativeLoader?: NativeLoader;
  /**
   * Free each op's saved tensors and each gradient as soon as the backward pass is done with them (default true; on
   * every backend). false keeps tfjs-core's own pass, which holds them all until the pass ends.
   */
  freeingGradients?: boolean;
}

/** What `enableFastTraining` did. */
export interface FastTrainingReport {
  /** The active backend, e.g. 'wasm'. */
  backend: string;
  /** True when fast kernels are registered for this backend. */
  enabled: boolean;
  /** Threads the backend computes matMuls and convolutions on (the native kernels' threads when they run). */
  threads: number;
  /** The native kernels in use (library, version, instruction set, threads), or null. */
  native: NativeInfo | null;
  /** Why the native kernels are not used although asked for ('auto'), or null. */
  nativeReason: string | null;
  /** Kernels replaced or added, as 'Name/backend' ('(added)' when stock tfjs has none). */
  kernels: string[];
  /**
   * True when the backward pass frees as it goes (on every backend): each op's saved tensors are disposed once its
   * gradient is computed, each gradient once passed on, instead of all at the end of the pass.
   */
  freeingGradients: boolean;
  /** Why something was not done (fallbacks), empty when everything was. */
  notes: string[];
  /**
   * One line for a trainer's backend line, e.g. 'wasm, fast training (XNNPACK matMul/conv, 2 threads)' or 'wasm, native
   * kernels (oneDNN 2.6.3, avx512_core, 1 thread)'.
   */
  summary: string;
}

let lastReport: FastTrainingReport | null = null;

function resolveThreads(threads: FastTrainingOptions['threads'], available: number, byDefault: number): number {
  if (threads === undefined) return byDefault;
  if (threads === 'all') return available;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new ConfigError(
      `enableFastTraining: expected options.threads a positive integer or 'all', got ${String(threads)}.`,
    );
  }
  return Math.min(threads, 8);
}

/**
 * Routes every matMul and convolution of training, forward and backward, to fast kernels. On the wasm backend:
 * transposed and batched matMuls (every dense layer's gradient) go to XNNPACK through explicit transposes;
 * Conv2DBackpropFilter (missing from stock wasm) and Conv2DBackpropInput (a naive loop there; also the forward pass
 * of conv2dTranspose) become im2col/col2im plus XNNPACK matMuls; in Node the backend is re-initialised with the
 * threaded SIMD build on all cores (worker_threads). Works for any tfjs model, tf.layers' `fit` included. On other
 * backends it registers no kernels and says so. On every backend the backward pass then frees memory as it goes
 * (same gradients in the same order; a PixelCNN step's memory halves). Call it after `tf.setBackend` and before
 * creating tensors (the wasm re-initialisation drops tensors that live on it; if there are any, threads are left as
 * they are and the report says why). Calling it again re-applies it with the new options. Undo with
 * `disableFastTraining()`.
 *
 * With `native: 'auto'` or `true`, the native kernels of @vaejs/backend-native (oneDNN) replace these where the addon
 * loads (kernels/native-*.ts; the wasm backend then stays single-threaded and `threads` are oneDNN's, default 1), and
 * Adam updates in one pass.
 *
 * @example
 * await tf.setBackend('wasm');
 * const report = await enableFastTraining();
 * console.log(report.summary); // 'wasm, fast training (XNNPACK matMul/conv, 2 threads)'
 * (await enableFastTraining({ native: 'auto' })).summary; // 'wasm, native kernels (oneDNN 2.6.3, avx512_core, 1 thread)'
 */
export async function enableFastTraining(options: FastTrainingOptions = {}): Promise<FastTrainingReport> {
  await tf.ready();
  const backend = tf.getBackend();
  const available = await availableWasmThreads();
  const requested = resolveThreads(options.threads, available, available);
  const nativeMode = options.native ?? false;
  if (nativeMode !== false && nativeMode !== true && nativeMode !== 'auto') {
    throw new ConfigError(
      `enableFastTraining: expected options.native true, false or 'auto', got ${JSON.stringify(nativeMode)}.`,
    );
  }
  restoreKernels();
  uninstallNativeAdam();
  setNativeAddon(null);
  const freeingGradients = options.freeingGradients ?? true;
  if (freeingGradients) installFreeingGradients();
  else uninstallFreeingGradients();
  const notes: string[] = [];
  if (backend !== 'wasm') {
    // cpu keeps its stock kernels but for the filter gradient, whose stock kernel is ~50× slower than a convolution
    const kernels = backend === 'cpu' ? registerFastKernels(cpuKernelConfigs) : [];
    notes.push(`no fast kernels for the '${backend}' backend (they target tfjs-backend-wasm)`);
    lastReport = {
      backend,
      enabled: false,
      threads: 1,
      native: null,
      nativeReason: null,
      kernels,
      freeingGradients,
      notes,
      summary:
        backend === 'cpu'
          ? 'cpu (stock kernels; the filter gradient as one forward convolution)'
          : `${backend} (stock kernels)`,
    };
    return lastReport;
  }
  const loaded = nativeMode === false ? null : await loadNativeAddon(options.nativeLoader);
  if (nativeMode === true && loaded?.addon == null) {
    throw new ConfigError(`enableFastTraining: expected the native kernels to load, got ${loaded?.reason}.`);
  }
  const addon = loaded?.addon ?? null;
  // The native kernels compute the matMuls and convolutions: the wasm backend stays single-threaded (its stock build).
  const wasmThreads = addon ? 1 : requested;
  let threads = await currentWasmThreads();
  if (isNode() && wasmThreads !== threads) {
    try {
      threads = await (wasmThreads === 1 && wasmThreadsEnabled()
        ? disableWasmThreads().then(() => 1)
        : enableWasmThreads(wasmThreads));
    } catch (error) {
      notes.push(`threads left at ${threads}: ${(error as Error).message}`);
    }
  } else if (!isNode() && requested > 1) {
    notes.push('threads are decided by the browser (cross-origin isolation), not by enableFastTraining');
  }
  let native: NativeInfo | null = null;
  let kernels: string[];
  if (addon) {
    addon.setThreads(resolveThreads(options.threads, available, 1));
    native = addon.info();
    threads = native.threads;
    setNativeAddon(addon);
    kernels = registerFastKernels(nativeKernelConfigs);
    installNativeAdam(addon);
  } else {
    kernels = registerFastKernels();
  }
  const plural = (count: number) => `${count} thread${count === 1 ? '' : 's'}`;
  lastReport = {
    backend,
    enabled: true,
    threads,
    native,
    nativeReason: loaded?.reason ?? null,
    kernels,
    freeingGradients,
    notes,
    summary: native
      ? `${backend}, native kernels (${native.library} ${native.version}, ${native.isa}, ${plural(threads)})`
      : `${backend}, fast training (XNNPACK matMul/conv, ${plural(threads)})`,
  };
  return lastReport;
}

/** What `disableFastTraining` did. */
export interface DisableFastTrainingResult {
  /** True when the stock kernels are back (always). */
  kernelsRestored: boolean;
  /** True when the wasm backend was threaded and has been re-initialised single-threaded (the stock set-up). */
  threadsRestored: boolean;
  /** Why something was not undone, e.g. tensors still live on the threaded wasm backend. */
  notes: string[];
}

/**
 * Restores the stock kernels and the stock backward pass exactly, and the stock wasm set-up if threads were enabled.
 * Re-initialising the wasm backend drops its tensors, so with tensors still live on it the threads are left on (dispose
 * them and call again).
 */
export async function disableFastTraining(): Promise<DisableFastTrainingResult> {
  restoreKernels();
  uninstallNativeAdam();
  setNativeAddon(null);
  uninstallFreeingGradients();
  lastReport = null;
  const notes: string[] = [];
  let threadsRestored = false;
  if (wasmThreadsEnabled()) {
    try {
      await disableWasmThreads();
      threadsRestored = true;
    } catch (error) {
      notes.push(`threads left on: ${(error as Error).message}`);
    }
  }
  return { kernelsRestored: true, threadsRestored, notes };
}

/** The report of the last `enableFastTraining` call still in force, or null. */
export function fastTrainingReport(): FastTrainingReport | null {
  return lastReport;
}
