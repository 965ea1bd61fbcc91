// What a VQ-VAE reports after an epoch: codebook usage over a sample of test images, and pictures.
import * as tf from '@tensorflow/tfjs-core';
import { createCodeUsageAccumulator } from './code-metrics';

/** Images encoded per call when measuring code usage: bounds the [chunk·h·w, K] distance matrices. */
export const CODE_USAGE_CHUNK = 500;

/** Code statistics of a set of images, and the counts behind them (the codebook-usage histogram). */
export interface CodeUsageReport {
  /** Perplexity of the codes, in [1, K]. */
  perplexity: number;
  /** Share of the K codes used at least once, in [0, 1]. */
  usage: number;
  /** How many times each code occurs, length K. */
  counts: number[];
}

/**
 * Encodes `x` in chunks of {@link CODE_USAGE_CHUNK} images and measures the codes' perplexity and usage.
 * @param encode images float32 [n, H, W, C] → codes int32 [n, h, w]
 * @param x float32 [N, H, W, C]
 * @param codebookSize K
 */
export async function measureCodeUsage(
  encode: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  codebookSize: number,
): Promise<CodeUsageReport> {
  const accumulator = createCodeUsageAccumulator(codebookSize);
  try {
    const size = x.shape[0] as number;
    for (let start = 0; start < size; start += CODE_USAGE_CHUNK) {
      const count = Math.min(CODE_USAGE_CHUNK, size - start);
      const codes = tf.tidy(() => encode(tf.slice(x, start, count)));
      try {
        accumulator.add(codes);
      } finally {
        codes.dispose();
      }
    }
    return {
      perplexity: await accumulator.perplexity(),
      usage: await accumulator.usage(),
      counts: await accumulator.histogram(),
    };
  } finally {
    accumulator.dispose();
  }
}

/**
 * Interleaves rows of originals and their reconstructions: `columns` originals, then their `columns`
 * reconstructions, and so on; a last partial row is padded with black images so that each reconstruction sits
 * under its original.
 * @param originals float32 [n, H, W, C]
 * @param reconstructions float32 [n, H, W, C]
 * @returns float32 [2·columns·⌈n / columns⌉, H, W, C], to lay out in `columns` columns
 */
export function reconstructionRows(originals: tf.Tensor4D, reconstructions: tf.Tensor4D, columns = 8): tf.Tensor4D {
  return tf.tidy(() => {
    const size = originals.shape[0];
    const rows: tf.Tensor4D[] = [];
    const padRow = (images: tf.Tensor4D): tf.Tensor4D => {
      const [count, height, width, channels] = images.shape;
      const missing = columns - count;
      return missing === 0 ? images : tf.concat([images, tf.zeros([missing, height, width, channels])]);
    };
    for (let start = 0; start < size; start += columns) {
      const count = Math.min(columns, size - start);
      rows.push(padRow(tf.slice(originals, start, count)), padRow(tf.slice(reconstructions, start, count)));
    }
    return tf.concat(rows) as tf.Tensor4D;
  });
}
