/**
 * The training and test splits a dataset name stands for, as the `vaejs` CLI's `--dataset` takes it: a named dataset
 * (`mnist`, `fashion-mnist`), or a folder, of IDX files or of PNG images, told apart by its file names. Node only.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConfigError, formatExpected } from '@vaejs/core';
import { holdOutTest, type ImageDataset, subset } from '../dataset';
import { type DatasetSource, DEFAULT_FASHION_MNIST_DIR } from '../sources';
import { loadDataset } from './load-dataset';
import { fashionMnistMissing } from './mnist';

/** Options of {@link loadSplits}. */
export interface LoadSplitsOptions {
  /** `'mnist'`, `'fashion-mnist'`, or a folder of IDX files (`*-ubyte`, `*-ubyte.gz`) or of PNG images. */
  dataset: string;
  /** Only the first `limit` training images (0 or absent: all). */
  limit?: number;
  /** Only the first `testLimit` test images (0 or absent: all). */
  testLimit?: number;
  /** Image folders: resize the images to this side length. */
  imageSize?: number;
  /** The most bytes each split's images may take, checked from the files' headers first (see `loadDataset`). */
  maxBytes?: number;
  /** Who asks, for messages: the function (default `'loadSplits'`) and the argument (default `'options.dataset'`). */
  fn?: string;
  argument?: string;
}

/**
 * Where a dataset name points: a named source, or a folder with its kind (`'idx'` when it holds IDX files).
 * @throws ConfigError when it is neither a named dataset nor an existing folder
 * @example datasetSource('mnist') // { source: 'mnist' }
 */
export function datasetSource(
  dataset: string,
  options: Pick<LoadSplitsOptions, 'fn' | 'argument'> = {},
): { source: DatasetSource; dir?: string } {
  if (dataset === 'fashion-mnist' && !existsSync(DEFAULT_FASHION_MNIST_DIR)) {
    const argument = options.argument ?? 'options.dataset';
    const other = `${argument} <folder> of its IDX files`;
    throw new ConfigError(fashionMnistMissing(options.fn ?? 'loadSplits', `${argument} fashion-mnist`, other));
  }
  if (dataset === 'mnist' || dataset === 'fashion-mnist') return { source: dataset };
  if (!existsSync(dataset) || !statSync(dataset).isDirectory()) {
    throw new ConfigError(
      formatExpected(
        options.fn ?? 'loadSplits',
        options.argument ?? 'options.dataset',
        'mnist | fashion-mnist | an existing folder',
        `'${dataset}' (no such folder)`,
      ),
    );
  }
  const idx = readdirSync(dataset).some((name) => /-ubyte(\.gz)?$/.test(name));
  return { source: idx ? 'idx' : 'images', dir: dataset };
}

/**
 * Loads the training and test splits of a dataset. An image folder has no test split: its last 10 % is held out
 * ({@link holdOutTest}).
 * @throws ConfigError for a name that is no dataset and no folder; DataError from the loaders
 * @example const { train, test } = loadSplits({ dataset: 'mnist', limit: 1000 }); // 1,000 and 10,000 images
 */
export function loadSplits(options: LoadSplitsOptions): { train: ImageDataset; test: ImageDataset } {
  const { source, dir } = datasetSource(options.dataset, options);
  const extra = {
    ...(dir ? { dir } : {}),
    ...(options.imageSize ? { size: options.imageSize } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  };
  let { train, test } =
    source === 'images'
      ? holdOutTest(loadDataset({ source, ...extra }))
      : {
          train: loadDataset({ source, split: 'train', ...extra }),
          test: loadDataset({ source, split: 'test', ...extra }),
        };
  if (options.limit && options.limit < train.size) train = subset(train, 0, options.limit);
  if (options.testLimit && options.testLimit < test.size) test = subset(test, 0, options.testLimit);
  return { train, test };
}
