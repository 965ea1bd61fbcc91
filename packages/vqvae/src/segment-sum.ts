import * as tf from '@tensorflow/tfjs-core';

/**
 * Σ of the rows of `values` that share an index: `[K, ...rest]`, like `tf.unsortedSegmentSum`, computed as
 * oneHot(indices)ᵀ · values. tfjs-backend-wasm has no UnsortedSegmentSum kernel, and a matMul is fast everywhere.
 * @param values float32 [N] or [N, D]
 * @param indices int32 [N] in [0, K)
 * @param segments K
 * @returns float32 [K] or [K, D]
 */
export function segmentSum(values: tf.Tensor, indices: tf.Tensor, segments: number): tf.Tensor {
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(tf.reshape(indices, [-1]), segments), 'float32') as tf.Tensor2D;
    if (values.rank === 1) return tf.sum(tf.mul(oneHot, tf.reshape(values, [-1, 1])), 0);
    return tf.matMul(oneHot, values as tf.Tensor2D, true, false);
  });
}

/** How many times each of the K codes occurs in `indices` (int32, any shape): float32 [K]. */
export function segmentCounts(indices: tf.Tensor, segments: number): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.sum(tf.oneHot(tf.reshape(indices, [-1]), segments), 0), 'float32') as tf.Tensor1D);
}
