/**
 * The dataset object every loader returns: raw bytes plus their layout. Batches are built from it on demand
 * (`createBatches`), so a large set is never held as one float tensor.
 */
import { assertNumberInRange, assertPositiveInt, DataError, formatExpected, ValueError } from '@vaejs/core';
import type { IdxArray } from './idx';

/** Images as bytes, NHWC, plus optional integer labels. Plain data: holds no tensors, needs no dispose. */
export interface ImageDataset {
  /** The discriminant that tells image datasets from code maps (`CodeMapDataset`, kind `'code-maps'`). */
  readonly kind: 'images';
  /** A short name for logs and run files, e.g. `'mnist-train'`. */
  readonly name: string;
  /** Number of images. */
  readonly size: number;
  /** `[height, width, channels]` of every image. */
  readonly imageShape: readonly [number, number, number];
  /** Number of classes (labels lie in `[0, numClasses)`); 0 when unlabelled. */
  readonly numClasses: number;
  /** uint8 `[size * height * width * channels]`, 0..255, image-major then row-major NHWC. */
  readonly images: Uint8Array;
  /** int32 `[size]`, or `null` for unlabelled images. */
  readonly labels: Int32Array | null;
  /** Names of the classes when known (image folders take them from sub-folder names). */
  readonly classNames?: readonly string[];
}

/** What `createDataset` takes; `numClasses` defaults to the largest label + 1 (0 without labels). */
export interface ImageDatasetInit {
  name: string;
  imageShape: readonly [number, number, number];
  images: Uint8Array;
  labels?: Int32Array | null;
  numClasses?: number;
  classNames?: readonly string[];
}

/**
 * Validates and freezes a dataset made from bytes already in memory.
 * @throws DataError when the byte count is not a multiple of the image size, or labels disagree with the images
 * @example
 * const dataset = createDataset({ name: 'tiny', imageShape: [2, 2, 1], images: new Uint8Array(8), labels: new Int32Array([0, 1]) });
 * dataset.size; // 2
 */
export function createDataset(init: ImageDatasetInit): ImageDataset {
  const fn = 'createDataset';
  const [height, width, channels] = init.imageShape;
  assertPositiveInt(fn, 'imageShape[0] (height)', height);
  assertPositiveInt(fn, 'imageShape[1] (width)', width);
  assertPositiveInt(fn, 'imageShape[2] (channels)', channels);
  const pixels = height * width * channels;
  if (init.images.length % pixels !== 0) {
    throw new DataError(
      formatExpected(
        fn,
        'images',
        `a length that is a multiple of ${height}×${width}×${channels}`,
        `${init.images.length}`,
      ),
    );
  }
  const size = init.images.length / pixels;
  const labels = init.labels ?? null;
  let maxLabel = -1;
  if (labels) {
    if (labels.length !== size) {
      throw new DataError(formatExpected(fn, 'labels', `${size} items (one per image)`, `${labels.length}`));
    }
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      if (label < 0) throw new DataError(formatExpected(fn, 'labels', 'values ≥ 0', `${label} at index ${i}`));
      if (label > maxLabel) maxLabel = label;
    }
  }
  const numClasses = init.numClasses ?? maxLabel + 1;
  if (labels && maxLabel >= numClasses) {
    throw new DataError(formatExpected(fn, 'labels', `values < ${numClasses} (numClasses)`, `${maxLabel}`));
  }
  const dataset: ImageDataset = {
    kind: 'images',
    name: init.name,
    size,
    imageShape: [height, width, channels],
    numClasses: labels ? numClasses : 0,
    images: init.images,
    labels,
    ...(init.classNames ? { classNames: Object.freeze([...init.classNames]) } : {}),
  };
  return Object.freeze(dataset);
}

/**
 * A dataset from parsed IDX images (`uint8 [n, h, w]` or `[n, h, w, c]`) and labels (integer `[n]`).
 * @throws DataError naming both files when the image and label counts differ, or for a wrong rank or dtype
 * @example const train = datasetFromIdx(readIdxFile(imagesPath), readIdxFile(labelsPath), { name: 'mnist-train' });
 */
export function datasetFromIdx(
  images: IdxArray,
  labels: IdxArray | null,
  options: { name: string; numClasses?: number; classNames?: readonly string[] },
): ImageDataset {
  const fn = 'datasetFromIdx';
  if (images.dtype !== 'uint8') {
    throw new DataError(formatExpected(fn, `images '${images.source}'`, 'dtype uint8', `dtype ${images.dtype}`));
  }
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new DataError(
      formatExpected(
        fn,
        `images '${images.source}'`,
        'rank 3 [n,h,w] or 4 [n,h,w,c]',
        `shape [${images.shape.join(',')}]`,
      ),
    );
  }
  const [count, height, width, channels = 1] = images.shape as [number, number, number, number?];
  let labelValues: Int32Array | null = null;
  if (labels) {
    if (labels.shape.length !== 1 || labels.dtype === 'float32' || labels.dtype === 'float64') {
      throw new DataError(
        formatExpected(
          fn,
          `labels '${labels.source}'`,
          'integer rank 1 [n]',
          `${labels.dtype} [${labels.shape.join(',')}]`,
        ),
      );
    }
    if (labels.shape[0] !== count) {
      throw new DataError(
        formatExpected(
          fn,
          `labels '${labels.source}'`,
          `${count} items (the image count of '${images.source}')`,
          `${labels.shape[0]}`,
        ),
      );
    }
    labelValues = Int32Array.from(labels.data);
  }
  return createDataset({
    name: options.name,
    imageShape: [height, width, channels],
    images: images.data as Uint8Array,
    labels: labelValues,
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  });
}

/**
 * Images `[start, end)` of a dataset, sharing its bytes (no copy). Negative or too-large bounds are errors.
 * @example subset(mnistTrain, 0, 1000).size; // 1000
 */
export function subset(dataset: ImageDataset, start: number, end: number, name?: string): ImageDataset {
  const fn = 'subset';
  assertPositiveInt(fn, 'start', start, 0);
  assertPositiveInt(fn, 'end', end, start);
  if (end > dataset.size) {
    throw new ValueError(formatExpected(fn, 'end', `≤ ${dataset.size} (dataset.size of '${dataset.name}')`, `${end}`));
  }
  const [height, width, channels] = dataset.imageShape;
  const pixels = height * width * channels;
  return Object.freeze({
    ...dataset,
    name: name ?? `${dataset.name}[${start}:${end}]`,
    size: end - start,
    images: dataset.images.subarray(start * pixels, end * pixels),
    labels: dataset.labels ? dataset.labels.subarray(start, end) : null,
  });
}

/**
 * Splits off the last `validationSize` images as a validation set (both views on the same bytes). MNIST's usual
 * split is `splitValidation(train, 10000)` → 50,000 + 10,000.
 * @example const { train, validation } = splitValidation(mnistTrain, 10000);
 */
export function splitValidation(
  dataset: ImageDataset,
  validationSize: number,
): { train: ImageDataset; validation: ImageDataset } {
  assertPositiveInt('splitValidation', 'validationSize', validationSize, 0);
  if (validationSize >= dataset.size) {
    throw new ValueError(
      formatExpected('splitValidation', 'validationSize', `< ${dataset.size} (dataset.size)`, `${validationSize}`),
    );
  }
  const cut = dataset.size - validationSize;
  return {
    train: subset(dataset, 0, cut, `${dataset.name}-train`),
    validation: subset(dataset, cut, dataset.size, `${dataset.name}-validation`),
  };
}

/**
 * Holds out a test split for sources that have none, such as a folder of images: `{ train, test }`, named
 * `<name>-train` and `<name>-test`. Unlabelled (or one-class) data: the last `share` of the images (at least one),
 * both views on the same bytes. Labelled data is split per class: the last `share` of each class (at least one of a
 * class with two or more images) is held out, so the test split scores every class in its proportion; the images
 * keep their order and are copied. A dataset of one image leaves an empty training split (which `fit` refuses,
 * naming it).
 * @example const { train, test } = holdOutTest(loadImageFolder({ dir: 'faces' })); // 90 % and 10 %
 */
export function holdOutTest(dataset: ImageDataset, share = 0.1): { train: ImageDataset; test: ImageDataset } {
  assertNumberInRange('holdOutTest', 'share', share, 0, 1);
  const { labels } = dataset;
  if (labels === null || new Set(labels).size < 2) {
    const held = Math.max(1, Math.floor(dataset.size * share));
    const cut = Math.max(0, dataset.size - held);
    return {
      train: subset(dataset, 0, cut, `${dataset.name}-train`),
      test: subset(dataset, cut, dataset.size, `${dataset.name}-test`),
    };
  }
  const isTest = testMaskByClass(labels, share);
  return {
    train: pick(dataset, (i) => !isTest[i], `${dataset.name}-train`),
    test: pick(dataset, (i) => isTest[i] === 1, `${dataset.name}-test`),
  };
}

/** 1 for the last `share` of each class's images (at least one of a class of two or more), else 0. */
function testMaskByClass(labels: Int32Array, share: number): Uint8Array {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const members = byClass.get(label) ?? [];
    members.push(i);
    byClass.set(label, members);
  });
  const mask = new Uint8Array(labels.length);
  for (const members of byClass.values()) {
    const held = members.length < 2 ? 0 : Math.max(1, Math.floor(members.length * share));
    for (const i of members.slice(members.length - held)) mask[i] = 1;
  }
  return mask;
}

/** The images (and labels) for which `keep(i)` holds, in order, copied into a dataset named `name`. */
function pick(dataset: ImageDataset, keep: (i: number) => boolean, name: string): ImageDataset {
  const [height, width, channels] = dataset.imageShape;
  const pixels = height * width * channels;
  const chosen = Array.from({ length: dataset.size }, (_, i) => i).filter(keep);
  const images = new Uint8Array(chosen.length * pixels);
  chosen.forEach((i, k) => {
    images.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
  });
  const labels = dataset.labels === null ? null : Int32Array.from(chosen, (i) => dataset.labels?.[i] as number);
  return Object.freeze({ ...dataset, name, size: chosen.length, images, labels });
}
