// Checks at the VQ-VAE's public boundary, before any tidy: every message names the function and the argument.
import type * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertNumberInRange,
  assertSameShape,
  assertShape,
  assertTensor,
  assertValueRange,
  ConfigError,
  describeValue,
  formatExpected,
  ShapeError,
  type TrainBatch,
  type TrainStepOptions,
} from '@vaejs/core';
import type { ResolvedVqVaeConfig } from './config';

/**
 * A batch as `fit` hands it over (a `TrainBatch`): `x` float32 [n, H, W, C] in [0, 1], optionally `target` (what
 * to reconstruct, default x); `labels` are ignored (a VQ-VAE is not conditional).
 */
export type VqVaeBatch = TrainBatch;

/** Options of `trainStep` and `lossParts` (a `TrainStepOptions`): `seed` and `step` are accepted and unused. */
export interface VqVaeStepOptions extends TrainStepOptions {
  /** Commitment weight for this step (default config.quantizer.beta). */
  beta?: number;
}

/** Images matching the config: float32 `[n, H, W, C]` with `[H, W, C] = config.inputShape`. Values are not read. */
export function checkImages(fn: string, argument: string, x: unknown, config: ResolvedVqVaeConfig): void {
  assertTensor(fn, argument, x);
  assertDtype(fn, argument, x, 'float32');
  assertShape(fn, argument, x, [null, ...config.inputShape], 'config.inputShape');
}

/** A code map of the latent grid: int32 `[n, h, w]`, values in [0, K) (read back to check). */
export function checkCodeMap(
  fn: string,
  indices: unknown,
  grid: readonly number[],
  codebookSize: number,
  levels = 0,
): void {
  assertTensor(fn, 'indices', indices);
  assertDtype(fn, 'indices', indices, 'int32');
  if (levels === 0) {
    assertShape(fn, 'indices', indices, [null, grid[0] as number, grid[1] as number], 'latent grid [n, h, w]');
  } else {
    const what = `latent grid and levels [n, h, w, m], 1 ≤ m ≤ ${levels}`;
    assertShape(fn, 'indices', indices, [null, grid[0] as number, grid[1] as number, null], what);
    const used = indices.shape[3] as number;
    if (used < 1 || used > levels) {
      throw new ShapeError(formatExpected(fn, 'indices', what, `shape [${indices.shape.join(', ')}]`));
    }
  }
  assertValueRange(fn, 'indices', indices, 0, codebookSize - 1);
}

/** A `{ x, target? }` batch of images and the step options. */
export function checkBatch(fn: string, batch: unknown, options: unknown, config: ResolvedVqVaeConfig): void {
  if (typeof batch !== 'object' || batch === null) {
    throw new ConfigError(formatExpected(fn, 'batch', 'an object { x, target? }', describeValue(batch)));
  }
  const { x, target } = batch as VqVaeBatch;
  checkImages(fn, 'batch.x', x, config);
  if (target !== undefined) {
    assertTensor(fn, 'batch.target', target);
    assertSameShape(fn, 'batch.x', x, 'batch.target', target);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(formatExpected(fn, 'options', 'an object', describeValue(options)));
  }
  const { beta } = options as VqVaeStepOptions;
  if (beta !== undefined) assertNumberInRange(fn, 'options.beta', beta, 0, Number.MAX_VALUE);
}

/** Something with `minimize`: a `tf.Optimizer`. */
export function checkOptimizer(fn: string, optimizer: unknown): asserts optimizer is tf.Optimizer {
  if (typeof (optimizer as Partial<tf.Optimizer> | null)?.minimize !== 'function') {
    throw new ConfigError(formatExpected(fn, 'optimizer', 'a tf.Optimizer', describeValue(optimizer)));
  }
}
