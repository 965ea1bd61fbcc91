/**
 * Discrete code maps as a dataset: int32 maps `[n, h, w]` with values in `[0, numCategories)` (what a VQ-VAE's
 * encoder makes of images, and what a PixelCNN prior learns), plus optional labels. Plain data like `ImageDataset`;
 * batches are built one at a time, shuffled exactly as image batches are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt, DataError, formatExpected, ValueError } from '@vaejs/core';
import { DEFAULT_BATCHES_CONFIG } from './batches';
import { epochOrder } from './random';

/** The `format` of a code-map folder's manifest, `codes.json` (see `writeCodeMaps`). */
export const CODES_MANIFEST_FORMAT = 'vaejs-codes';

/** Code maps plus optional integer labels. Holds no tensors, needs no dispose. */
export interface CodeMapDataset {
  /** The discriminant that tells code maps from image datasets (`ImageDataset`, kind `'images'`). */
  readonly kind: 'code-maps';
  /** A short name for logs and run files, e.g. `'codes-train'`. */
  readonly name: string;
  /** int32 `[size * height * width]`, map-major then row-major, values in `[0, numCategories)`. */
  readonly codes: Int32Array;
  /** int32 `[size]` in `[0, numClasses)`, or `null` for unlabelled maps. */
  readonly labels: Int32Array | null;
  /** Number of maps. */
  readonly size: number;
  readonly height: number;
  readonly width: number;
  /** K, the number of codes (a VQ-VAE's codebook size). */
  readonly numCategories: number;
  /** Number of classes of the labels; 0 when unlabelled. */
  readonly numClasses: number;
}

/** What `createCodeMapDataset` takes; `numClasses` defaults to the largest label + 1 (0 without labels). */
export interface CodeMapDatasetInit {
  name: string;
  codes: Int32Array;
  height: number;
  width: number;
  numCategories: number;
  labels?: Int32Array | null;
  numClasses?: number;
}

/**
 * Validates and freezes code maps already in memory (the arrays are kept, not copied).
 * @throws DataError when the code count is not a multiple of `height·width`, a code lies outside
 *   `[0, numCategories)`, or labels disagree with the maps
 * @example
 * const maps = createCodeMapDataset({ name: 'tiny', codes: new Int32Array([0, 1, 2, 3]), height: 1, width: 2, numCategories: 4 });
 * maps.size; // 2
 */
export function createCodeMapDataset(init: CodeMapDatasetInit): CodeMapDataset {
  const fn = 'createCodeMapDataset';
  const { height, width, numCategories, codes } = init;
  assertPositiveInt(fn, 'height', height);
  assertPositiveInt(fn, 'width', width);
  assertPositiveInt(fn, 'numCategories', numCategories);
  if (!(codes instanceof Int32Array)) {
    throw new DataError(formatExpected(fn, 'codes', 'an Int32Array', describeArray(codes)));
  }
  const area = height * width;
  if (codes.length % area !== 0) {
    throw new DataError(
      formatExpected(fn, 'codes', `a length that is a multiple of ${height}×${width}`, `${codes.length}`),
    );
  }
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number;
    if (code < 0 || code >= numCategories) {
      throw new DataError(
        formatExpected(
          fn,
          'codes',
          `values in [0, ${numCategories - 1}] (numCategories ${numCategories})`,
          `${code} at map ${Math.floor(i / area)}, position ${i % area}`,
        ),
      );
    }
  }
  const size = codes.length / area;
  const labels = init.labels ?? null;
  if (labels !== null && !(labels instanceof Int32Array)) {
    throw new DataError(formatExpected(fn, 'labels', 'an Int32Array or null', describeArray(labels)));
  }
  let maxLabel = -1;
  if (labels) {
    if (labels.length !== size) {
      throw new DataError(formatExpected(fn, 'labels', `${size} items (one per map)`, `${labels.length}`));
    }
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      if (label < 0) throw new DataError(formatExpected(fn, 'labels', 'values ≥ 0', `${label} at index ${i}`));
      if (label > maxLabel) maxLabel = label;
    }
  }
  const numClasses = init.numClasses ?? maxLabel + 1;
  assertPositiveInt(fn, 'numClasses', numClasses, 0);
  if (labels && maxLabel >= numClasses) {
    throw new DataError(formatExpected(fn, 'labels', `values < ${numClasses} (numClasses)`, `${maxLabel}`));
  }
  return Object.freeze({
    kind: 'code-maps',
    name: init.name,
    codes,
    labels,
    size,
    height,
    width,
    numCategories,
    numClasses: labels ? numClasses : 0,
  });
}

/**
 * Maps `[start, end)` of a code-map dataset, sharing its arrays (no copy).
 * @example subsetCodeMaps(trainCodes, 0, 1000).size; // 1000
 */
export function subsetCodeMaps(dataset: CodeMapDataset, start: number, end: number, name?: string): CodeMapDataset {
  const fn = 'subsetCodeMaps';
  assertPositiveInt(fn, 'start', start, 0);
  assertPositiveInt(fn, 'end', end, start);
  if (end > dataset.size) {
    throw new ValueError(formatExpected(fn, 'end', `≤ ${dataset.size} (dataset.size of '${dataset.name}')`, `${end}`));
  }
  const area = dataset.height * dataset.width;
  return Object.freeze({
    ...dataset,
    name: name ?? `${dataset.name}[${start}:${end}]`,
    size: end - start,
    codes: dataset.codes.subarray(start * area, end * area),
    labels: dataset.labels ? dataset.labels.subarray(start, end) : null,
  });
}

/** How `createCodeMapBatches` builds batches. Only `batchSize` is required; defaults as `createBatches`. */
export interface CodeMapBatchesConfig {
  /** Maps per batch (the last one may be smaller unless `dropRemainder`). */
  batchSize: number;
  /** Visit the maps in a seeded random order (default true). */
  shuffle?: boolean;
  /** Non-negative integer seed of the order (default 0). */
  seed?: number;
  /** Epoch number, mixed into the seed: same seed + epoch → same order, another epoch → another (default 0). */
  epoch?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
}

/** One batch of code maps; `tf.dispose(batch)` frees its tensors, which belong to the caller. */
export type CodeMapBatch = {
  /** int32 `[b, height, width]`. */
  readonly x: tf.Tensor3D;
  /** int32 `[b]`; absent for unlabelled maps. */
  readonly labels?: tf.Tensor1D;
  /** This batch's position in the epoch, 0-based. */
  readonly index: number;
  /** The dataset indices of the maps in this batch (plain int32 `[b]`). */
  readonly indices: Int32Array;
};

/** One epoch of code-map batches: random access with `batch(i)`, or `for (const batch of batches)`. */
export interface CodeMapBatches extends Iterable<CodeMapBatch> {
  readonly numBatches: number;
  readonly config: Readonly<Required<CodeMapBatchesConfig>>;
  /** The epoch's visiting order, the same permutation `createBatches` draws for the same size, seed and epoch. */
  readonly order: Int32Array;
  /** Builds batch `index` (new tensors each call; the caller disposes them). */
  batch(index: number): CodeMapBatch;
}

/**
 * Batches of one epoch of code maps, shuffled by `(seed, epoch)` exactly as `createBatches` shuffles images.
 * @returns `{ numBatches, config, order, batch(i), [Symbol.iterator] }`; each batch holds `x` int32 `[b, h, w]`,
 *   `labels?` int32 `[b]`, `index` and `indices`
 * @example
 * for (const batch of createCodeMapBatches(codes, { batchSize: 128, seed: 1, epoch })) {
 *   try { prior.trainStep(optimizer, batch); } finally { tf.dispose(batch); }
 * }
 */
export function createCodeMapBatches(dataset: CodeMapDataset, config: CodeMapBatchesConfig): CodeMapBatches {
  const fn = 'createCodeMapBatches';
  const defined = Object.fromEntries(Object.entries(config ?? {}).filter(([, value]) => value !== undefined));
  const { shuffle, seed, epoch, dropRemainder } = DEFAULT_BATCHES_CONFIG;
  const resolved = Object.freeze({ shuffle, seed, epoch, dropRemainder, ...defined }) as Required<CodeMapBatchesConfig>;
  assertPositiveInt(fn, 'config.batchSize', resolved.batchSize);
  assertPositiveInt(fn, 'config.seed', resolved.seed, 0);
  assertPositiveInt(fn, 'config.epoch', resolved.epoch, 0);
  const { batchSize } = resolved;
  const { size, height, width } = dataset;
  const area = height * width;
  const order = epochOrder(size, resolved);
  const numBatches = resolved.dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);

  const batch = (index: number): CodeMapBatch => {
    assertPositiveInt('codeMapBatches.batch', 'index', index, 0);
    if (index >= numBatches) {
      throw new ValueError(formatExpected('codeMapBatches.batch', 'index', `< ${numBatches} (numBatches)`, `${index}`));
    }
    const indices = order.slice(index * batchSize, Math.min((index + 1) * batchSize, size));
    const values = new Int32Array(indices.length * area);
    indices.forEach((item, row) => {
      values.set(dataset.codes.subarray(item * area, (item + 1) * area), row * area);
    });
    const labels = dataset.labels ? Int32Array.from(indices, (item) => dataset.labels?.[item] as number) : null;
    const x = tf.tensor3d(values, [indices.length, height, width], 'int32');
    try {
      return { x, ...(labels ? { labels: tf.tensor1d(labels, 'int32') } : {}), index, indices };
    } catch (error) {
      x.dispose(); // the caller never saw it
      throw error;
    }
  };

  return Object.freeze({
    numBatches,
    config: resolved,
    order,
    batch,
    *[Symbol.iterator](): Iterator<CodeMapBatch> {
      for (let i = 0; i < numBatches; i++) yield batch(i);
    },
  });
}

// helpers

function describeArray(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const name = (value as object).constructor?.name ?? typeof value;
  return `${name}${typeof (value as ArrayLike<unknown>).length === 'number' ? ` of ${(value as ArrayLike<unknown>).length}` : ''}`;
}
