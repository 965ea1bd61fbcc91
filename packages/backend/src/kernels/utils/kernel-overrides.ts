// Registers replacement kernels and remembers what they replaced, so that disabling the fast path restores the
// kernel registry exactly (same config objects, same setup functions).
import * as tf from '@tensorflow/tfjs-core';

interface Saved {
  kernelName: string;
  backendName: string;
  original: tf.KernelConfig | undefined;
}

const saved: Saved[] = [];

/**
 * Replaces (or adds) the kernel `config.kernelName` for `config.backendName`. The stock config, if any, is kept and
 * given to `makeConfig`, so the replacement can fall back to it.
 */
export function overrideKernel(
  kernelName: string,
  backendName: string,
  makeConfig: (original: tf.KernelConfig | undefined) => tf.KernelConfig,
): void {
  const original = tf.getKernel(kernelName, backendName);
  const replacement = makeConfig(original);
  if (original != null) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(replacement);
  saved.push({ kernelName, backendName, original });
}

/** Restores every kernel replaced by `overrideKernel`, most recent first. */
export function restoreKernels(): void {
  while (saved.length > 0) {
    const { kernelName, backendName, original } = saved.pop()!;
    if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
    if (original != null) tf.registerKernel(original);
  }
}

/** Names of the kernels currently replaced, as `Name/backend`. */
export function overriddenKernels(): string[] {
  return saved.map(
    ({ kernelName, backendName, original }) => `${kernelName}/${backendName}${original ? '' : ' (added)'}`,
  );
}

/** What a fast kernel is built from when it is registered. */
export interface FastKernelContext {
  /** The kernel registered under this name and backend before (the stock one), if any. */
  original: tf.KernelConfig | undefined;
  /** The stock config of a kernel of the same backend, as it was before any fast kernel was registered. */
  stock(kernelName: string): tf.KernelConfig;
}

/** One entry of `kernelConfigs` (register-all-kernels.ts): a fast kernel, and when it is registered. */
export interface FastKernelConfig {
  kernelName: string;
  backendName: string;
  /**
   * 'replace': wraps the stock kernel, registered only where there is one; 'add': registered only where stock tfjs
   * has none; 'always': replaces the stock kernel or adds one.
   */
  when: 'replace' | 'add' | 'always';
  create(context: FastKernelContext): tf.KernelConfig;
}
