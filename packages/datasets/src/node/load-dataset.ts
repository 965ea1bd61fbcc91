/**
 * One entry point for the trainer's `--dataset` flag: a source name plus options, to a dataset. Node only.
 */
import { assertOneOf, ConfigError, formatExpected } from '@vaejs/core';
import type { ImageDataset } from '../dataset';
import type { ResizeMethod } from '../resize';
import { DATASET_SOURCES, type DatasetSource } from '../sources';
import { loadIdxFolder } from './idx-file';
import { loadImageFolder } from './image-folder';
import { loadFashionMnist, loadMnist } from './mnist';

/** Options of `loadDataset`; `dir` is required for `'idx'` and `'images'`, optional for the others. */
export interface LoadDatasetOptions {
  source: DatasetSource;
  /** `'train'` or `'test'` (IDX sources; image folders have no split). Default `'train'`. */
  split?: 'train' | 'test';
  dir?: string;
  /** Image folders: `[height, width]` or a side length to resize to. */
  size?: number | readonly [number, number];
  /** Image folders: 1 or 3 channels. */
  channels?: 1 | 3;
  /** Image folders: `'area'` (default) or `'bilinear'`. */
  resize?: ResizeMethod;
  /**
   * The most bytes the images may take, checked from the files' headers (IDX, PNG) before anything is inflated.
   * Default: no limit beyond what an array (or, for PNG, 2^26 pixels an image) holds.
   */
  maxBytes?: number;
}

/**
 * @example loadDataset({ source: 'mnist', split: 'test' }).size; // 10000
 * @throws ConfigError for an unknown source or a missing `dir`; DataError from the loader
 */
export function loadDataset(options: LoadDatasetOptions): ImageDataset {
  const fn = 'loadDataset';
  assertOneOf(fn, 'options.source', options.source, DATASET_SOURCES);
  const split = options.split ?? 'train';
  const dirOption = options.dir !== undefined ? { dir: options.dir } : {};
  const limit = options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {};
  switch (options.source) {
    case 'mnist':
      return loadMnist({ split, ...dirOption });
    case 'fashion-mnist':
      return loadFashionMnist({ split, ...dirOption });
    case 'idx':
      return loadIdxFolder({ dir: requireDir(fn, options), split, ...limit });
    case 'images':
      return loadImageFolder({
        dir: requireDir(fn, options),
        ...limit,
        ...(options.size !== undefined ? { size: options.size } : {}),
        ...(options.channels !== undefined ? { channels: options.channels } : {}),
        ...(options.resize !== undefined ? { resize: options.resize } : {}),
      });
  }
}

function requireDir(fn: string, options: LoadDatasetOptions): string {
  if (typeof options.dir !== 'string' || options.dir === '') {
    throw new ConfigError(
      formatExpected(fn, 'options.dir', `a folder path for source '${options.source}'`, String(options.dir)),
    );
  }
  return options.dir;
}
