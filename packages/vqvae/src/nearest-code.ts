import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertPositiveInt, assertRank, formatExpected, formatShape, ShapeError } from '@vaejs/core';
import { segmentSum } from './segment-sum';

/**
 * Scales each vector along the last axis to unit l2 norm (a zero vector stays zero).
 * @param x float32 [..., D]
 * @returns float32 [..., D]
 * @example l2Normalize(tf.tensor2d([[3, 4]])) // [[0.6, 0.8]]
 */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const squaredNorm = tf.sum(tf.square(x), -1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(squaredNorm, 1e-12))) as T;
  });
}

/**
 * Squared Euclidean distances between rows, as `||z||² − 2 z·e + ||e||²` (one matMul, no [P, K, D] tensor).
 * @param z float32 [P, D]
 * @param codebook float32 [K, D]
 * @returns float32 [P, K]
 * @example squaredDistances(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4], [1, 0]])) // [[25, 1]]
 */
export function squaredDistances(z: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor2D {
  assertRank('squaredDistances', 'z', z, 2);
  assertRank('squaredDistances', 'codebook', codebook, 2);
  if (z.shape[1] !== codebook.shape[1]) {
    throw new ShapeError(
      formatExpected(
        'squaredDistances',
        'z last dim',
        `${codebook.shape[1]} (codebook dim)`,
        `${z.shape[1]} (shape ${formatShape(z.shape)})`,
      ),
    );
  }
  return tf.tidy(() => {
    const zSquared = tf.sum(tf.square(z), 1, true); // [P, 1]
    const codeSquared = tf.reshape(tf.sum(tf.square(codebook), 1), [1, -1]); // [1, K]
    const cross = tf.matMul(z, codebook, false, true); // [P, K]
    return tf.add(tf.sub(zSquared, tf.mul(cross, 2)), codeSquared) as tf.Tensor2D;
  });
}

/** Options of {@link nearestCodes}. */
export interface NearestCodesOptions {
  /** Rows per distance matrix (default 4096): at most one [chunkSize, K] matrix is alive at a time. */
  chunkSize?: number;
  /** 'cosine' compares l2-normalised vectors (default 'euclidean'). */
  distance?: 'euclidean' | 'cosine';
  /** Name used in error messages. */
  fn?: string;
}

/**
 * Index of the nearest code for every vector along the last axis (ties go to the lower index).
 * @param z float32 [..., D], any rank ≥ 1
 * @param codebook float32 [K, D]
 * @returns indices int32 [...] (z's shape without its last dim)
 * @example nearestCodes(tf.zeros([8, 7, 7, 16]), codebook) // int32 [8, 7, 7]
 */
export function nearestCodes(z: tf.Tensor, codebook: tf.Tensor2D, options: NearestCodesOptions = {}): tf.Tensor {
  const fn = options.fn ?? 'nearestCodes';
  const chunkSize = options.chunkSize ?? 4096;
  assertPositiveInt(fn, 'options.chunkSize', chunkSize);
  assertRank(fn, 'codebook', codebook, 2);
  assertLastDim(fn, z, codebook.shape[1], 'codebook dim');
  return tf.tidy(() => {
    const dim = codebook.shape[1];
    const cosine = options.distance === 'cosine';
    const codes = cosine ? l2Normalize(codebook) : codebook;
    // argmin_k ||z||² − 2 z·e_k + ||e_k||² = argmin_k [−2z, 1]·[e_k, ||e_k||²]: ||z||² is the same for every k, and
    // folding ||e||² into the product avoids a broadcast add over the [P, K] matrix (slow on the cpu backend).
    const augmentedCodes = tf.concat([codes, tf.sum(tf.square(codes), 1, true)], 1);
    const flat = tf.reshape(z, [-1, dim]) as tf.Tensor2D;
    const rows = flat.shape[0];
    const chunks: tf.Tensor[] = [];
    for (let start = 0; start < rows; start += chunkSize) {
      const size = Math.min(chunkSize, rows - start);
      // Each chunk's distance matrix is freed before the next one is built.
      chunks.push(
        tf.tidy(() => {
          const part = tf.slice(flat, [start, 0], [size, dim]);
          const vectors = cosine ? l2Normalize(part) : part;
          const augmented = tf.concat([tf.mul(vectors, -2), tf.ones([size, 1])], 1);
          return tf.argMin(tf.matMul(augmented, augmentedCodes, false, true), 1);
        }),
      );
    }
    const indices = chunks.length === 1 ? (chunks[0] as tf.Tensor) : tf.concat(chunks, 0);
    return tf.reshape(indices, z.shape.slice(0, -1));
  });
}

type GatherOp = (codebook: tf.Tensor, indices: tf.Tensor) => tf.Tensor;
let gatherOp: GatherOp | undefined;

/**
 * Rows of the codebook at `indices`, differentiable in the codebook only. Same as `tf.gather(codebook, indices)`,
 * except that the indices get a float32 zero gradient: tfjs' gather returns int32 for them, which the tape rejects
 * when the indices depend (through argMin) on what is being differentiated.
 * @param codebook float32 [K, D]
 * @param indices int32 [...]
 * @returns float32 [..., D]
 */
export function gatherCodes(codebook: tf.Tensor2D, indices: tf.Tensor): tf.Tensor {
  gatherOp ??= tf.customGrad((codes, ids, save) => {
    const table = codes as tf.Tensor2D;
    const positions = ids as tf.Tensor;
    (save as (tensors: tf.Tensor[]) => void)([positions]);
    return {
      value: tf.gather(table, positions),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedIndices] = saved as [tf.Tensor];
        const rows = tf.reshape(dy, [-1, table.shape[1]]);
        const flatIndices = tf.reshape(savedIndices, [-1]) as tf.Tensor1D;
        return [segmentSum(rows, flatIndices, table.shape[0]), tf.zeros(savedIndices.shape)];
      },
    };
  }) as unknown as GatherOp;
  return gatherOp(codebook, indices);
}

// helpers

/** Throws the standard message unless `z` is float32 of rank ≥ 1 with last dim `dim`. */
export function assertLastDim(fn: string, z: tf.Tensor, dim: number, source: string): void {
  assertDtype(fn, 'z', z, 'float32');
  if (z.rank < 1) {
    throw new ShapeError(formatExpected(fn, 'z', 'rank ≥ 1', `rank 0 (shape ${formatShape(z.shape)})`));
  }
  const last = z.shape[z.rank - 1];
  if (last !== dim) {
    throw new ShapeError(
      formatExpected(fn, 'z last dim', `${dim} (${source})`, `${last} (shape ${formatShape(z.shape)})`),
    );
  }
}
