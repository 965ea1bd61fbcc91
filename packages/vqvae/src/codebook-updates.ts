// Codebook updates that are not gradient steps: EMA (van den Oord et al. 2017, appendix A.1; Razavi et al. 2019),
// dead-code restarts (Łańcucki et al. 2020; vector-quantize-pytorch) and k-means initialisation. Pure functions of
// tensors; the quantiser writes their results into its variables.
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, nearestCodes } from './nearest-code';
import { segmentCounts, segmentSum } from './segment-sum';

/** EMA state: N (cluster sizes) and m (sums of the vectors assigned to each code). */
export interface EmaState {
  /** N, float32 [K]. */
  clusterSize: tf.Tensor1D;
  /** m, float32 [K, D]. */
  embedSum: tf.Tensor2D;
}

/** Settings of {@link emaCodebookUpdate}. */
export interface EmaOptions {
  /** γ in (0, 1). */
  decay: number;
  /** Laplace smoothing ε ≥ 0. */
  epsilon: number;
}

/**
 * One EMA step: `N ← γN + (1−γ)n`, `m ← γm + (1−γ)Σz`, Laplace smoothing `Ñ = (N + ε) / (ΣN + Kε) · ΣN`,
 * codebook `e = m / Ñ`.
 * @param state N float32 [K], m float32 [K, D]
 * @param vectors float32 [P, D] (the batch's encoder outputs, flattened)
 * @param indices int32 [P] their nearest codes
 * @returns the new N [K], m [K, D] and codebook [K, D]
 */
export function emaCodebookUpdate(
  state: EmaState,
  vectors: tf.Tensor2D,
  indices: tf.Tensor1D,
  options: EmaOptions,
): EmaState & { codebook: tf.Tensor2D } {
  return tf.tidy(() => {
    const codebookSize = state.clusterSize.shape[0];
    const { decay, epsilon } = options;
    const counts = segmentCounts(indices, codebookSize);
    const sums = segmentSum(vectors, indices, codebookSize);
    const clusterSize = tf.add(tf.mul(state.clusterSize, decay), tf.mul(counts, 1 - decay)) as tf.Tensor1D;
    const embedSum = tf.add(tf.mul(state.embedSum, decay), tf.mul(sums, 1 - decay)) as tf.Tensor2D;
    const total = tf.sum(clusterSize);
    const smoothed = tf.mul(tf.div(tf.add(clusterSize, epsilon), tf.add(total, codebookSize * epsilon)), total);
    const codebook = tf.div(embedSum, tf.reshape(smoothed, [-1, 1])) as tf.Tensor2D;
    return { clusterSize, embedSum, codebook };
  });
}

/**
 * `count` row indices of a [rows]-row matrix drawn without replacement (with repeats only when rows < count),
 * as the top `count` of seeded uniform scores.
 * @returns int32 [count]
 */
export function sampleRowIndices(rows: number, count: number, seed: number): tf.Tensor1D {
  return tf.tidy(() => {
    const copies = Math.ceil(count / rows);
    const scores = tf.randomUniform([rows * copies], 0, 1, 'float32', seed);
    return tf.mod(tf.topk(scores, count).indices, tf.scalar(rows, 'int32')) as tf.Tensor1D;
  });
}

/**
 * Replaces every code whose usage is under `threshold` by a distinct vector of the batch (seeded choice).
 * @param codebook float32 [K, D]
 * @param usage float32 [K] (EMA cluster sizes or batch counts)
 * @param vectors float32 [P, D] candidates
 * @returns codebook float32 [K, D], dead bool [K] (the codes replaced), replacements float32 [K, D]
 */
export function restartDeadCodes(
  codebook: tf.Tensor2D,
  usage: tf.Tensor1D,
  vectors: tf.Tensor2D,
  options: { threshold: number; seed: number },
): { codebook: tf.Tensor2D; dead: tf.Tensor1D; replacements: tf.Tensor2D } {
  return tf.tidy(() => {
    const codebookSize = codebook.shape[0];
    const dead = tf.less(usage, options.threshold) as tf.Tensor1D;
    const replacements = tf.gather(vectors, sampleRowIndices(vectors.shape[0], codebookSize, options.seed));
    const restarted = tf.where(tf.reshape(dead, [-1, 1]), replacements, codebook) as tf.Tensor2D;
    return { codebook: restarted, dead, replacements: replacements as tf.Tensor2D };
  });
}

/** Settings of {@link kmeans}. */
export interface KmeansOptions {
  iterations: number;
  seed: number;
  distance?: 'euclidean' | 'cosine';
  chunkSize?: number;
}

/**
 * Lloyd's k-means: centroids start at K distinct batch vectors (seeded), then each iteration assigns every vector to
 * its nearest centroid and moves each centroid to the mean of its vectors (an empty cluster keeps its centroid).
 * In 'cosine' mode vectors and centroids are l2-normalised (spherical k-means).
 * @param vectors float32 [P, D]
 * @returns centroids float32 [K, D] and counts float32 [K] of the final assignment
 */
export function kmeans(
  vectors: tf.Tensor2D,
  codebookSize: number,
  options: KmeansOptions,
): { centroids: tf.Tensor2D; counts: tf.Tensor1D } {
  return tf.tidy(() => {
    const cosine = options.distance === 'cosine';
    const points = cosine ? l2Normalize(vectors) : vectors;
    const lookup = { distance: options.distance, chunkSize: options.chunkSize };
    let centroids = tf.gather(points, sampleRowIndices(points.shape[0], codebookSize, options.seed)) as tf.Tensor2D;
    const assign = (current: tf.Tensor2D) => {
      const indices = nearestCodes(points, current, lookup) as tf.Tensor1D;
      const counts = segmentCounts(indices, codebookSize);
      const sums = segmentSum(points, indices, codebookSize);
      return { counts, sums };
    };
    for (let iteration = 0; iteration < options.iterations; iteration++) {
      const previous = centroids;
      centroids = tf.tidy(() => {
        const { counts, sums } = assign(previous);
        const means = tf.div(sums, tf.reshape(tf.maximum(counts, 1), [-1, 1]));
        const moved = tf.where(tf.reshape(tf.greater(counts, 0), [-1, 1]), means, previous) as tf.Tensor2D;
        return cosine ? l2Normalize(moved) : moved;
      });
      previous.dispose();
    }
    return { centroids, counts: assign(centroids).counts };
  });
}
