/**
 * What one training step of a model costs in memory, as its package estimates it from a config before anything is
 * built: the basis of a guard against sizes that pass their own checks and then exhaust memory. Each model package
 * counts its own parameters (exactly: what `countParams()` of its networks sums to) and the activations one item keeps
 * for the backward pass (the dominant terms); the step's bytes are then counted here, once for every package. The
 * estimate is a floor, not a bound: it refuses what cannot fit, not what barely might.
 */
import { assertPositiveInt } from './checks';

/** Bytes of a float32. */
const FLOAT_BYTES = 4;
/** A weight is held four times while training with Adam: the weight, its gradient and the two moments. */
const WEIGHT_COPIES = 4;
/** Activations are kept for the backward pass and their gradients made: about three copies of the forward's. */
const ACTIVATION_COPIES = 3;

/** A model's size for one training step, as `estimateVaeSize`, `estimateVqVaeSize` and `estimatePixelCnnSize` give it. */
export interface ModelSize {
  /** Weights of every network, trainable or not (EMA buffers count): the sum of their `countParams()`. */
  parameters: number;
  /** Floats of activation one item keeps through a training step (the dominant terms of the forward pass). */
  activationsPerItem: number;
  /** Items per training step. */
  batchSize: number;
  /** Bytes of one training step: 4 × 4 bytes per parameter, 3 × 4 bytes per activation float of the batch. */
  stepBytes: number;
}

/**
 * Puts a model's counts together into the bytes of one training step of `batchSize` items.
 * @param fn the estimating function's name, in messages
 * @throws ConfigError for a batch size that is not a positive integer
 * @example modelSize({ parameters: 1000, activationsPerItem: 50 }, 128).stepBytes // 4 · (4 · 1000 + 3 · 128 · 50) = 92,800
 */
export function modelSize(
  counts: Pick<ModelSize, 'parameters' | 'activationsPerItem'>,
  batchSize: number,
  fn = 'modelSize',
): ModelSize {
  assertPositiveInt(fn, 'batchSize', batchSize);
  const { parameters, activationsPerItem } = counts;
  const stepBytes = FLOAT_BYTES * (WEIGHT_COPIES * parameters + ACTIVATION_COPIES * batchSize * activationsPerItem);
  return { parameters, activationsPerItem, batchSize, stepBytes };
}

/**
 * Which size made a step too big: of the sizes in `fallbacks` (each with the value it takes when not set, undefined
 * for the package's default), the one whose fallback shrinks `estimate` the most; null when none shrinks it.
 * @example largestSize({ hidden: 1e6, latentDim: 20 }, { hidden: undefined }, estimate) // 'hidden'
 */
export function largestSize<S extends object>(
  settings: S,
  fallbacks: Readonly<Record<string, unknown>>,
  estimate: (settings: S) => ModelSize,
): string | null {
  let culprit: string | null = null;
  let smallest = estimate(settings).stepBytes;
  for (const [key, fallback] of Object.entries(fallbacks)) {
    const reduced = estimate({ ...settings, [key]: fallback }).stepBytes;
    if (reduced < smallest) {
      smallest = reduced;
      culprit = key;
    }
  }
  return culprit;
}
