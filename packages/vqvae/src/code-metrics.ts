import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertPositiveInt } from '@vaejs/core';
import { segmentCounts } from './segment-sum';

/**
 * How many times each code occurs.
 * @param indices int32 [...] code indices in [0, K)
 * @param codebookSize K
 * @returns float32 [K]
 * @example codeCounts(tf.tensor1d([0, 2, 2], 'int32'), 3) // [1, 0, 2]
 */
export function codeCounts(indices: tf.Tensor, codebookSize: number): tf.Tensor1D {
  assertDtype('codeCounts', 'indices', indices, 'int32');
  assertPositiveInt('codeCounts', 'codebookSize', codebookSize);
  return tf.tidy(() => {
    return segmentCounts(indices, codebookSize);
  });
}

/**
 * Perplexity `exp(−Σ p log p)` of the code distribution p = counts / total: K when codes are used uniformly,
 * 1 when a single code is used.
 * @param counts float32 [K]
 * @returns float32 scalar
 */
export function perplexityFromCounts(counts: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.div(counts, tf.maximum(tf.sum(counts), 1e-12));
    const entropy = tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30)))));
    return tf.exp(entropy) as tf.Scalar;
  });
}

/**
 * Share of the K codes that occur at least once, in [0, 1].
 * @param counts float32 [K]
 * @returns float32 scalar
 */
export function usageFromCounts(counts: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.greater(counts, 0), 'float32')) as tf.Scalar);
}

/**
 * Perplexity of the codes in one batch (see {@link perplexityFromCounts}).
 * @param indices int32 [...]
 * @returns float32 scalar in [1, K]
 * @example codePerplexity(tf.tensor1d([0, 1, 2, 3], 'int32'), 4) // 4
 */
export function codePerplexity(indices: tf.Tensor, codebookSize: number): tf.Scalar {
  const counts = codeCounts(indices, codebookSize);
  try {
    return perplexityFromCounts(counts);
  } finally {
    counts.dispose();
  }
}

/**
 * Share of codes used in one batch.
 * @param indices int32 [...]
 * @returns float32 scalar in [0, 1]
 * @example codeUsage(tf.tensor1d([0, 0, 1], 'int32'), 4) // 0.5
 */
export function codeUsage(indices: tf.Tensor, codebookSize: number): tf.Scalar {
  const counts = codeCounts(indices, codebookSize);
  try {
    return usageFromCounts(counts);
  } finally {
    counts.dispose();
  }
}

/** Per-epoch code statistics: add each batch's indices (stays on the device), read the figures at the end. */
export interface CodeUsageAccumulator {
  /** K. */
  readonly codebookSize: number;
  /** Running counts, float32 [K] (owned by the accumulator). */
  readonly counts: tf.Variable;
  /** Adds the codes of a batch (int32 [...]); no read-back to JS. */
  add(indices: tf.Tensor): void;
  /** Counts per code. */
  histogram(): Promise<number[]>;
  /** Perplexity of everything added since the last reset (1 when nothing was added). */
  perplexity(): Promise<number>;
  /** Share of codes used since the last reset. */
  usage(): Promise<number>;
  /** Zeroes the counts (start of an epoch). */
  reset(): void;
  /** Frees the counts variable. */
  dispose(): void;
}

/**
 * Creates an epoch accumulator of code usage.
 * @example
 * const epoch = createCodeUsageAccumulator(128);
 * epoch.add(indices); // each batch
 * await epoch.perplexity(); // at epoch end
 * epoch.dispose();
 */
export function createCodeUsageAccumulator(codebookSize: number): CodeUsageAccumulator {
  assertPositiveInt('createCodeUsageAccumulator', 'codebookSize', codebookSize);
  const counts = tf.tidy(() => tf.variable(tf.zeros([codebookSize]), false));
  const readScalar = async (compute: () => tf.Scalar) => {
    const value = tf.tidy(compute);
    try {
      return (await value.data())[0] as number;
    } finally {
      value.dispose();
    }
  };
  return {
    codebookSize,
    counts,
    add(indices) {
      assertDtype('codeUsageAccumulator.add', 'indices', indices, 'int32');
      tf.tidy(() => {
        counts.assign(tf.add(counts, codeCounts(indices, codebookSize)));
      });
    },
    async histogram() {
      return Array.from(await counts.data());
    },
    perplexity: () => readScalar(() => perplexityFromCounts(counts as tf.Tensor as tf.Tensor1D)),
    usage: () => readScalar(() => usageFromCounts(counts as tf.Tensor as tf.Tensor1D)),
    reset() {
      tf.tidy(() => counts.assign(tf.zerosLike(counts)));
    },
    dispose() {
      counts.dispose();
    },
  };
}
