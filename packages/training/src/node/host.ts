/** What `fit` needs of Node: run folders, memory figures, stderr, the event loop, and signals. */
import * as tf from '@tensorflow/tfjs-core';
import type { FitHost } from '../run-folder/store';
import { openRunFolder } from './run-folder';

/**
 * Memory at the end of an epoch, in MiB: the process (`rss_mb`), the JavaScript heap, the ArrayBuffers' backing stores
 * outside it (the dataset's pixels, batches before upload), the bytes tfjs holds in tensors, and the wasm backend's
 * linear memory (which never shrinks: a growing `wasm_mb` with a flat `tensor_mb` is heap growth, not a leak).
 */
export function memoryFigures(): Record<string, number> {
  const usage = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength;
  return {
    rss_mb: mb(usage.rss),
    js_heap_mb: mb(usage.heapUsed),
    array_buffers_mb: mb(usage.arrayBuffers),
    tensor_mb: mb(tf.memory().numBytes),
    ...(wasm !== undefined ? { wasm_mb: mb(wasm) } : {}),
  };
}

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export const nodeHost: FitHost = {
  openRun: (dir, options) => openRunFolder(dir, { ...options, warn: (line) => process.stderr.write(`${line}\n`) }),
  memory: memoryFigures,
  print: (line) => {
    process.stderr.write(`${line}\n`);
  },
  terminal: () => process.stderr,
  // On the wasm and cpu backends a read-back resolves as a microtask: without a turn of the event loop, callbacks
  // queued with process.nextTick or timers (stream buffers, signal handlers) would wait for the whole run.
  yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)),
  watchSignals(onSignal) {
    let received = 0;
    const handler = (signal: 'SIGINT' | 'SIGTERM') => {
      received++;
      if (received > 1) {
        process.stderr.write(`${signal} again: exiting at once\n`);
        process.exit(SIGNAL_CODES[signal]);
      }
      process.stderr.write(`${signal}: finishing the current step and writing a checkpoint (again to exit at once)\n`);
      onSignal(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  exitWithSignal(signal) {
    process.exit(SIGNAL_CODES[signal]);
  },
};
