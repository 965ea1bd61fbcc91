/**
 * Gradient registration for training. `@tensorflow/tfjs-core` registers no gradients by itself; they live in
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, which bundlers (vite, webpack, esbuild, vitest) load fine but
 * plain Node cannot: that file is ES module syntax with extensionless relative imports in a package that is not
 * `"type": "module"`. So this tries the external module first and falls back to a copy bundled into this package's
 * dist (it registers into the same global registry and engine).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, formatExpected } from '@vaejs/core';

/** Where the gradients came from. */
export type GradientSource = 'already-registered' | 'tfjs-core' | 'bundled-copy';

/** A few kernels every VAE training step differentiates; all must have a gradient. */
const PROBE_KERNELS = ['Sum', 'Multiply', 'Conv2D', 'BatchMatMul', 'Exp'] as const;

/** True when tfjs has gradients for the kernels training needs. */
export function gradientsRegistered(): boolean {
  return PROBE_KERNELS.every((kernel) => tf.getGradient(kernel) != null);
}

/**
 * Registers tfjs' gradients once (idempotent), so that `tf.grads`, `optimizer.minimize` and `model.fit` work in Node
 * with only `@tensorflow/tfjs-core`. tfjs-node registers them itself, in which case nothing is done.
 * @returns where the gradients came from
 * @throws ConfigError if neither source registers them
 * @example
 * await selectBackend();
 * await registerGradients(); // 'tfjs-core' under a bundler, 'bundled-copy' in plain Node
 */
export async function registerGradients(): Promise<GradientSource> {
  if (gradientsRegistered()) return 'already-registered';
  let externalError: unknown;
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  } catch (error) {
    externalError = error;
  }
  if (gradientsRegistered()) return 'tfjs-core';
  await import('./bundled-gradients');
  if (gradientsRegistered()) return 'bundled-copy';
  const detail = externalError instanceof Error ? externalError.message.split('\n')[0] : 'no error';
  throw new ConfigError(
    formatExpected(
      'registerGradients',
      'gradients',
      'registered by @tensorflow/tfjs-core/dist/register_all_gradients',
      `none (${detail})`,
    ),
  );
}
