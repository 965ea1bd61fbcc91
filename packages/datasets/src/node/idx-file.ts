/**
 * IDX files on disk (Node only): raw or gzip, told apart by the gzip magic number, and folders holding an
 * MNIST-style pair of image and label files.
 */
// Default imports of node builtins (not named ones): browser bundlers replace builtins with empty stubs, and named
// imports from a stub fail the build, while a default import only fails if the Node-only function is called.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { assertOneOf, DataError, formatExpected } from '@vaejs/core';
import { datasetFromIdx, type ImageDataset } from '../dataset';
import {
  checkIdxHeader,
  type IdxArray,
  type IdxHeader,
  type IdxReadOptions,
  inflatedPast,
  isGzip,
  parseIdx,
  readIdxHeader,
} from '../idx';

/**
 * Reads an IDX file, gunzipping it first when it starts with the gzip magic 0x1f 0x8b. A gzipped file's header is read
 * from its first inflated bytes and checked (against `options.maxBytes`) before the rest is inflated, which then stops
 * past what the header promises: a small file cannot inflate to gigabytes.
 * @returns `{ dtype, shape, data, source: path }`
 * @throws DataError naming the file when it is missing, not valid gzip, not a valid IDX file (see `parseIdx`), declares
 *   more than `maxBytes`, or inflates past its header
 * @example readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz').shape; // [10000]
 */
export function readIdxFile(file: string, options: IdxReadOptions = {}): IdxArray {
  const fn = 'readIdxFile';
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataError(formatExpected(fn, `file '${file}'`, 'to exist and be readable', code));
  }
  if (!isGzip(bytes)) {
    checkIdxHeader(fn, file, readIdxHeader(bytes, file), options);
    return parseIdx(bytes, file);
  }
  // the header first (null: the whole stream, already inflated within 64 MB, holds none); then at most what it promises
  const header = gzipHeader(fn, file, bytes);
  checkIdxHeader(fn, file, header, options);
  try {
    bytes = zlib.gunzipSync(bytes, header ? { maxOutputLength: Math.max(1, header.totalBytes) } : {});
  } catch (error) {
    if (header && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw inflatedPast(fn, file, header);
    throw new DataError(formatExpected(fn, `file '${file}'`, 'a valid gzip stream', (error as Error).message));
  }
  return parseIdx(bytes, file);
}

/** Where `loadIdxFolder` looks, and what it names the result. */
export interface IdxFolderOptions {
  /** Folder holding the files. */
  dir: string;
  /** `'train'` looks for `train-*`, `'test'` for `t10k-*` or `test-*` (default `'train'`). */
  split?: 'train' | 'test';
  /** Images file name inside `dir`; default: the first of `<prefix>-images-idx3-ubyte[.gz]`, `<prefix>-images.idx3-ubyte[.gz]`. */
  imagesFile?: string;
  /** Labels file name inside `dir`, or `null` for none; default: `<prefix>-labels-idx1-ubyte[.gz]` and the dotted form. */
  labelsFile?: string | null;
  /** Dataset name (default `'<folder name>-<split>'`). */
  name?: string;
  /** Number of classes (default: largest label + 1). */
  numClasses?: number;
  /** Class names, index = label. */
  classNames?: readonly string[];
  /** The most bytes a file's values may take, checked from its header before it is inflated (see `readIdxFile`). */
  maxBytes?: number;
}

/**
 * An image dataset from a folder of IDX files (MNIST layout, raw or gzip).
 * @returns uint8 images `[n, h, w, 1]` (or `[n, h, w, c]` for rank-4 files), int32 labels `[n]`
 * @throws DataError when a file is missing (listing the names tried), corrupt, or the counts differ
 * @example loadIdxFolder({ dir: '/data/mnist', split: 'test' }).size; // 10000
 */
export function loadIdxFolder(options: IdxFolderOptions): ImageDataset {
  const fn = 'loadIdxFolder';
  const split = options.split ?? 'train';
  assertOneOf(fn, 'options.split', split, ['train', 'test']);
  const prefixes = split === 'train' ? ['train'] : ['t10k', 'test'];
  const imagesPath = findFile(fn, options.dir, options.imagesFile, prefixes, 'images', 'idx3');
  const labelsPath =
    options.labelsFile === null ? null : findFile(fn, options.dir, options.labelsFile, prefixes, 'labels', 'idx1');
  const folderName =
    options.dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || 'idx';
  const limit = options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {};
  return datasetFromIdx(readIdxFile(imagesPath, limit), labelsPath ? readIdxFile(labelsPath, limit) : null, {
    name: options.name ?? `${folderName}-${split}`,
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  });
}

// helpers

/**
 * The IDX header of a gzipped file, from its first inflated bytes: ever longer prefixes of the compressed stream are
 * inflated (each to at most 64 MB) until the header is whole; null when the whole stream holds none.
 */
function gzipHeader(fn: string, file: string, bytes: Uint8Array): IdxHeader | null {
  for (let length = 64; ; length *= 2) {
    const prefix = bytes.subarray(0, Math.min(length, bytes.length));
    let head: Uint8Array;
    try {
      head = zlib.gunzipSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 2 ** 26 });
    } catch (error) {
      throw new DataError(formatExpected(fn, `file '${file}'`, 'a valid gzip stream', (error as Error).message));
    }
    const header = readIdxHeader(head, file);
    if (header !== null && header.shape.length > 0) return header;
    if (prefix.length === bytes.length) return null;
    if (length > 2 ** 16) {
      throw new DataError(formatExpected(fn, `file '${file}'`, 'an IDX header in its first 64 KB', 'none'));
    }
  }
}

function findFile(
  fn: string,
  dir: string,
  given: string | undefined,
  prefixes: readonly string[],
  kind: 'images' | 'labels',
  rankTag: string,
): string {
  const candidates = given
    ? [given]
    : prefixes.flatMap((prefix) =>
        [`${prefix}-${kind}-${rankTag}-ubyte`, `${prefix}-${kind}.${rankTag}-ubyte`].flatMap((base) => [
          base,
          `${base}.gz`,
        ]),
      );
  for (const candidate of candidates) {
    const file = path.join(dir, candidate);
    if (fs.existsSync(file)) return file;
  }
  throw new DataError(
    formatExpected(fn, `${kind} file in '${dir}'`, `one of ${candidates.join(', ')}`, 'none of them'),
  );
}
