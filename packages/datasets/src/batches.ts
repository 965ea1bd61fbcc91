/**
 * Seeded, shuffled NHWC batches built one at a time from a dataset's bytes: the whole set never becomes one tensor.
 * Binarisation follows the VAE literature: static (a fixed threshold, or one Bernoulli sample drawn once per image,
 * Salakhutdinov & Murray 2008) or dynamic (a fresh Bernoulli sample every time an image is seen).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  backendCopiesOnCreate,
  formatExpected,
  ValueError,
} from '@vaejs/core';
import type { ImageDataset } from './dataset';
import {
  applyCorruption,
  type Corruption,
  TAG_CORRUPTION,
  TAG_DYNAMIC,
  TAG_STATIC,
  UNIT,
  validateCorruption,
  writePixels,
} from './pixels';
import { createRandom, createUint32Random, epochOrder, mixSeed } from './random';

/** How `createBatches` builds batches. Only `batchSize` is required. */
export interface BatchesConfig {
  /** Images per batch (the last one may be smaller unless `dropRemainder`). */
  batchSize: number;
  /** Visit the images in a seeded random order (default true). */
  shuffle?: boolean;
  /** Non-negative integer seed for the order, the Bernoulli samples and the noise (default 0). */
  seed?: number;
  /** Epoch number, mixed into the seed: same seed + epoch → same order and samples, another epoch → new ones. */
  epoch?: number;
  /** `'none'` keeps grey levels `b / 255`; `'static'` fixes binary images; `'dynamic'` resamples each epoch. */
  binarize?: 'none' | 'static' | 'dynamic';
  /** For `binarize: 'static'`: `'threshold'` (default) or `'sample'` (a Bernoulli sample fixed per image by `seed`). */
  staticBinarization?: 'threshold' | 'sample';
  /** Threshold for static thresholding: 1 where `b / 255 > threshold` (default 0.5). */
  threshold?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
  /** Corrupt `x` and return the clean images as `xClean` (default none). */
  corruption?: Corruption | null;
}

/** `BatchesConfig` with every default filled in. */
export type ResolvedBatchesConfig = Readonly<Required<Omit<BatchesConfig, 'corruption'>>> & {
  readonly corruption: Corruption | null;
};

export const DEFAULT_BATCHES_CONFIG: Readonly<Omit<ResolvedBatchesConfig, 'batchSize'>> = Object.freeze({
  shuffle: true,
  seed: 0,
  epoch: 0,
  binarize: 'none',
  staticBinarization: 'threshold',
  threshold: 0.5,
  dropRemainder: false,
  corruption: null,
});

/**
 * One batch. Every tensor in it belongs to the caller: `tf.dispose(batch)` frees them all (a type alias, not an
 * interface, so that it is a `tf.TensorContainer`).
 */
export type Batch = {
  /** float32 `[b, h, w, c]` in [0, 1]: the model input (corrupted when `corruption` is set). */
  readonly x: tf.Tensor4D;
  /** float32 `[b, h, w, c]` in [0, 1]: the uncorrupted images, present only when `corruption` is set. */
  readonly xClean?: tf.Tensor4D;
  /** int32 `[b]`; absent for an unlabelled dataset. */
  readonly labels?: tf.Tensor1D;
  /** float32 `[b, numClasses]`, one-hot; absent for an unlabelled dataset. */
  readonly labelsOneHot?: tf.Tensor2D;
  /** This batch's position in the epoch, 0-based. */
  readonly index: number;
  /** The dataset indices of the images in this batch (plain int32 `[b]`, not a tensor). */
  readonly indices: Int32Array;
};

/** One epoch of batches: random access with `batch(i)`, or `for (const batch of batches)`. */
export interface Batches extends Iterable<Batch> {
  readonly numBatches: number;
  readonly config: ResolvedBatchesConfig;
  /** The epoch's visiting order: a permutation of `0..dataset.size-1` (identity when `shuffle` is false). */
  readonly order: Int32Array;
  /** Builds batch `index` (new tensors each call; the caller disposes them). Deterministic for a given config. */
  batch(index: number): Batch;
}

/** Merges `config` over `DEFAULT_BATCHES_CONFIG` and validates every field. */
export function resolveBatchesConfig(config: BatchesConfig): ResolvedBatchesConfig {
  const fn = 'createBatches';
  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULT_BATCHES_CONFIG, ...defined } as ResolvedBatchesConfig;
  assertPositiveInt(fn, 'config.batchSize', resolved.batchSize);
  assertPositiveInt(fn, 'config.seed', resolved.seed, 0);
  assertPositiveInt(fn, 'config.epoch', resolved.epoch, 0);
  assertOneOf(fn, 'config.binarize', resolved.binarize, ['none', 'static', 'dynamic']);
  assertOneOf(fn, 'config.staticBinarization', resolved.staticBinarization, ['threshold', 'sample']);
  assertNumberInRange(fn, 'config.threshold', resolved.threshold, 0, 1);
  if (resolved.corruption) validateCorruption(fn, resolved.corruption);
  return Object.freeze(resolved);
}

/**
 * Batches of one epoch. Cheap to create (it only draws the order); each `batch(i)` converts that batch's bytes to
 * float32 tensors. Call it once per epoch with `epoch` set, and dispose each batch after use.
 *
 * @param dataset images as bytes (`ImageDataset`)
 * @param config `{ batchSize, shuffle?, seed?, epoch?, binarize?, staticBinarization?, threshold?, dropRemainder?, corruption? }`
 * @returns `{ numBatches, config, order, batch(i), [Symbol.iterator] }`; each batch holds `x` float32 `[b,h,w,c]`,
 *   `xClean?`, `labels` int32 `[b]`, `labelsOneHot` float32 `[b,K]`, `index` and `indices`
 * @example
 * const batches = createBatches(dataset, { batchSize: 128, seed: 1, epoch, binarize: 'dynamic' });
 * for (const batch of batches) {
 *   try { train(batch.x); } finally { tf.dispose(batch); }
 * }
 */
export function createBatches(dataset: ImageDataset, config: BatchesConfig): Batches {
  const resolved = resolveBatchesConfig(config);
  const { batchSize } = resolved;
  const size = dataset.size;
  const order = epochOrder(size, resolved);
  const numBatches = resolved.dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  // a plain view of the bytes, made once: a Node Buffer's subarray would make a Buffer per image
  const bytes = new Uint8Array(dataset.images.buffer, dataset.images.byteOffset, dataset.images.length);
  const scratch: Scratch = {};

  const batch = (index: number): Batch => {
    assertPositiveInt('batches.batch', 'index', index, 0);
    if (index >= numBatches) {
      throw new ValueError(formatExpected('batches.batch', 'index', `< ${numBatches} (numBatches)`, `${index}`));
    }
    const indices = order.slice(index * batchSize, Math.min((index + 1) * batchSize, size));
    return buildBatch(dataset, bytes, resolved, indices, index, scratch);
  };

  return Object.freeze({
    numBatches,
    config: resolved,
    order,
    batch,
    *[Symbol.iterator](): Iterator<Batch> {
      // Each batch is built only when the loop asks for it, so breaking out early leaves nothing to free.
      for (let i = 0; i < numBatches; i++) yield batch(i);
    },
  });
}

// helpers

/** Arrays one `Batches` writes again for every batch: its gathered bytes, and its floats where the backend copies them. */
interface Scratch {
  bytes?: Uint8Array;
  clean?: Float32Array;
}

/**
 * `scratch[key]`'s first `size` values when `reuse` (made on first use, or larger when a batch is larger: an epoch's
 * smaller last batch takes a view), else a new array.
 */
function scratchArray<K extends keyof Scratch>(
  scratch: Scratch,
  key: K,
  size: number,
  reuse: boolean,
): NonNullable<Scratch[K]> {
  const make = () => (key === 'bytes' ? new Uint8Array(size) : new Float32Array(size)) as NonNullable<Scratch[K]>;
  if (!reuse) return make();
  let array = scratch[key];
  if (array === undefined || array.length < size) {
    array = make();
    scratch[key] = array;
  }
  return (array.length === size ? array : array.subarray(0, size)) as NonNullable<Scratch[K]>;
}

/** `out[i] = bytes[i] / 255` (as {@link writePixels} with `'none'`), in a loop that only ever sees these two types. */
function bytesToUnit(bytes: Uint8Array, out: Float32Array): void {
  for (let i = 0; i < bytes.length; i++) out[i] = UNIT[bytes[i] as number] as number;
}

function buildBatch(
  dataset: ImageDataset,
  images: Uint8Array,
  config: ResolvedBatchesConfig,
  indices: Int32Array,
  index: number,
  scratch: Scratch,
): Batch {
  const [height, width, channels] = dataset.imageShape;
  const pixels = height * width * channels;
  const count = indices.length;
  // Where the backend copies an array into a tensor at once (wasm), the batch's floats are written into the same
  // array every batch: a fresh 400 KB array a batch (MNIST, 128 images) costs its allocation, zeroing and page
  // faults (0.25–0.3 ms a batch in a loop that only builds batches; about a tenth of a second of system time over two
  // epochs of `vaejs train`).
  const clean = scratchArray(scratch, 'clean', count * pixels, backendCopiesOnCreate());
  const mode =
    config.binarize === 'none'
      ? 'none'
      : config.binarize === 'dynamic' || config.staticBinarization === 'sample'
        ? 'sample'
        : 'threshold';
  // Dynamic: one stream per (seed, epoch, batch). Static sample: one stream per image, the same every epoch.
  const batchRandom =
    config.binarize === 'dynamic' ? createUint32Random(mixSeed(config.seed, TAG_DYNAMIC, config.epoch, index)) : null;
  if (mode === 'sample') {
    for (let k = 0; k < count; k++) {
      const image = indices[k] as number;
      const random =
        config.binarize === 'static' ? createUint32Random(mixSeed(config.seed, TAG_STATIC, image)) : batchRandom;
      writePixels(dataset.images, image * pixels, pixels, clean, k * pixels, mode, config.threshold, random);
    }
  } else {
    // The batch's bytes gathered first (a native copy per image from `images`, a plain view of the dataset's bytes),
    // then converted in one loop. The same speed as a loop per image once V8 has optimised both (0.21–0.24 ms for 128
    // MNIST images), but 0.26 against 0.69 ms over the first epoch's batches, while it has not.
    const bytes = scratchArray(scratch, 'bytes', count * pixels, true);
    for (let k = 0; k < count; k++) {
      const start = (indices[k] as number) * pixels;
      bytes.set(images.subarray(start, start + pixels), k * pixels);
    }
    if (mode === 'none') bytesToUnit(bytes, clean);
    else writePixels(bytes, 0, count * pixels, clean, 0, mode, config.threshold, null);
  }
  const input = config.corruption
    ? applyCorruption(clean, config.corruption, createRandom(mixSeed(config.seed, TAG_CORRUPTION, config.epoch, index)))
    : clean;

  let labelValues: Int32Array | null = null;
  let oneHot: Float32Array | null = null;
  if (dataset.labels) {
    const classes = dataset.numClasses;
    labelValues = new Int32Array(count);
    oneHot = new Float32Array(count * classes);
    for (let k = 0; k < count; k++) {
      const label = dataset.labels[indices[k] as number] as number;
      labelValues[k] = label;
      oneHot[k * classes + label] = 1;
    }
  }
  const shape: [number, number, number, number] = [count, height, width, channels];
  // If creating a later tensor throws, free the ones already made: the caller never saw them.
  const made: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(tensor: T): T => {
    made.push(tensor);
    return tensor;
  };
  try {
    return {
      x: keep(tf.tensor4d(input, shape, 'float32')),
      ...(config.corruption ? { xClean: keep(tf.tensor4d(clean, shape, 'float32')) } : {}),
      ...(labelValues && oneHot
        ? {
            labels: keep(tf.tensor1d(labelValues, 'int32')),
            labelsOneHot: keep(tf.tensor2d(oneHot, [count, dataset.numClasses], 'float32')),
          }
        : {}),
      index,
      indices,
    };
  } catch (error) {
    tf.dispose(made);
    throw error;
  }
}
