/**
 * Categorical distribution over K classes from unnormalised logits on the last axis (PixelCNN priors, VQ codes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertShape, assertTensor, formatShape } from '../checks';
import { ConfigError, formatExpected, ShapeError, ValueError } from '../errors';

function assertLogits(fn: string, logits: unknown): asserts logits is tf.Tensor {
  assertTensor(fn, 'logits', logits);
  if (logits.rank < 1) {
    throw new ShapeError(formatExpected(fn, 'logits', 'rank ≥ 1 ([..., K])', 'rank 0 (a scalar)'));
  }
  assertDtype(fn, 'logits', logits, 'float32');
  const classes = logits.shape[logits.rank - 1] as number;
  if (classes < 1) {
    throw new ShapeError(formatExpected(fn, 'logits', 'last dim K ≥ 1', `shape ${formatShape(logits.shape)}`));
  }
}

/**
 * log softmax(logits)[index] at every position. An index outside [0, K) has probability zero and gives −Infinity
 * (indices are not read back to check).
 * @param logits float32 [..., K]
 * @param indices int32 [...] (logits' shape without the last axis)
 * @returns float32 [...], ≤ 0
 * @example categoricalLogProb(logits, codes) // logits [2, 8, 8, 512], codes int32 [2, 8, 8] → [2, 8, 8]
 */
export function categoricalLogProb(logits: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  const fn = 'categoricalLogProb';
  assertLogits(fn, logits);
  assertTensor(fn, 'indices', indices);
  assertDtype(fn, 'indices', indices, 'int32');
  assertShape(fn, 'indices', indices, logits.shape.slice(0, -1), 'the shape of logits without its last axis');
  return tf.tidy(() => categoricalLogProbOp()(logits, indices));
}

type LogProbOp = (logits: tf.Tensor, indices: tf.Tensor) => tf.Tensor;
let logProbOp: LogProbOp | undefined;

/**
 * The picked log-probabilities with their gradient written out, dy · (oneHot − softmax) (indices get none): 4 ops over
 * the [positions, K] logits where autodiff of the picking (a product, a sum, log softmax's own gradient) takes about
 * 10, one of them a tensor of ones built in JavaScript (a PixelCNN prior's step spent ~9 ms there). Built lazily.
 */
function categoricalLogProbOp(): LogProbOp {
  logProbOp ??= tf.customGrad((logitValues, indexValues, save) => {
    const [logits, indices] = [logitValues as tf.Tensor, indexValues as tf.Tensor];
    const classes = logits.shape[logits.rank - 1] as number;
    const logProbs = tf.logSoftmax(tf.reshape(logits, [-1, classes]));
    const oneHot = tf.cast(tf.oneHot(tf.reshape(indices, [-1]), classes), 'float32');
    (save as (tensors: tf.Tensor[]) => void)([logProbs, oneHot]);
    // log(Σ oneHot) is 0 for a valid index and −Infinity for one out of range (an all-zero row).
    const picked = tf.add(tf.sum(tf.mul(logProbs, oneHot), -1), tf.log(tf.sum(oneHot, -1)));
    return {
      value: tf.reshape(picked, indices.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedLogProbs, savedOneHot] = saved as [tf.Tensor2D, tf.Tensor2D];
        const scale = tf.reshape(dy, [-1, 1]);
        const gradient = tf.mul(scale, tf.sub(savedOneHot, tf.exp(savedLogProbs)));
        return [tf.reshape(gradient, logits.shape), tf.zeros(indices.shape)];
      },
    };
  }) as unknown as LogProbOp;
  return logProbOp;
}

/** Options for {@link categoricalSample}. */
export interface CategoricalSampleOptions {
  /** Integer seed; the same seed gives the same draws on cpu. Default: fresh randomness. */
  seed?: number;
  /** Divides the logits: < 1 sharpens, > 1 flattens. Default 1. */
  temperature?: number;
}

/**
 * Draws one class per position from softmax(logits / temperature).
 * @param logits float32 [..., K]
 * @param options `{ seed?, temperature? = 1 }`
 * @returns int32 [...] (logits' shape without the last axis), values in [0, K)
 * @example categoricalSample(logits, { seed: 1, temperature: 0.8 }) // logits [4, 512] → int32 [4]
 */
export function categoricalSample(logits: tf.Tensor, options: CategoricalSampleOptions = {}): tf.Tensor {
  const fn = 'categoricalSample';
  assertLogits(fn, logits);
  const { seed, temperature = 1 } = options;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new ConfigError(formatExpected(fn, 'options.temperature', 'a finite number > 0', String(temperature)));
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new ValueError(formatExpected(fn, 'options.seed', 'a finite number or undefined', String(seed)));
  }
  const classes = logits.shape[logits.rank - 1] as number;
  const outShape = logits.shape.slice(0, -1);
  return tf.tidy(() => {
    if (classes === 1) return tf.zeros(outShape, 'int32');
    // Gumbel-max: argmax(logits / T + G), G = −log(−log U). Not tf.multinomial: its cpu kernel reseeds its generator
    // for every row, so with a seed all rows of a batch would share one uniform draw.
    const flat = tf.reshape(logits, [-1, classes]);
    const scaled = temperature === 1 ? flat : tf.div(flat, temperature);
    const uniform = tf.randomUniform(flat.shape, UNIFORM_FLOOR, 1 - UNIFORM_FLOOR, 'float32', seed);
    const gumbel = tf.neg(tf.log(tf.neg(tf.log(uniform))));
    return tf.reshape(tf.argMax(tf.add(scaled, gumbel), -1), outShape);
  });
}

// Keeps log(−log U) finite; the distortion of the Gumbel tails is below float32 resolution of the logits.
const UNIFORM_FLOOR = 1e-7;
