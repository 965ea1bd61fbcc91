/**
 * A dataset from IDX files at URLs — gzipped or raw, as MNIST is published and as a page serves it itself — for
 * browsers and Web Workers (and Node ≥ 18, which has `fetch`). The bytes stay one `Uint8Array` per split: batches
 * are made from them one at a time (`createBatches`), never one tensor of the whole set.
 */
import { DataError, formatExpected } from '@vaejs/core';
import { datasetFromIdx, type ImageDataset } from './dataset';
import { decodeIdx } from './idx';

/** Options of {@link fetchDataset}. */
export interface FetchDatasetOptions {
  /** URL of the images' IDX file (`uint8 [n, h, w]`, gzip or raw). */
  images: string;
  /** URL of the labels' IDX file, or null for a set without labels. */
  labels: string | null;
  /** The dataset's name (`mnist-train`). */
  name: string;
  numClasses?: number;
  classNames?: readonly string[];
  /** How to fetch (default the global `fetch`). */
  fetcher?: (url: string) => Promise<Response>;
}

/**
 * Fetches and parses a split of an IDX dataset.
 * @throws DataError naming the URL for a network failure, an HTTP error, or bytes that are not an IDX file
 * @example
 * const train = await fetchDataset({ images: 'data/mnist/train-images-idx3-ubyte.gz',
 *   labels: 'data/mnist/train-labels-idx1-ubyte.gz', name: 'mnist-train' }); // 60,000 images 28×28×1
 */
export async function fetchDataset(options: FetchDatasetOptions): Promise<ImageDataset> {
  const fetcher = options.fetcher ?? ((url: string) => globalThis.fetch(url));
  const [images, labels] = await Promise.all([
    fetchIdx(fetcher, options.images),
    options.labels === null ? null : fetchIdx(fetcher, options.labels),
  ]);
  return datasetFromIdx(images, labels, {
    name: options.name,
    ...(options.numClasses !== undefined ? { numClasses: options.numClasses } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
  });
}

// helpers

async function fetchIdx(fetcher: (url: string) => Promise<Response>, url: string) {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    throw new DataError(
      formatExpected('fetchDataset', url, 'to load', `a network error (${(error as Error).message})`),
    );
  }
  if (!response.ok) {
    throw new DataError(
      formatExpected('fetchDataset', url, 'to load', `HTTP ${response.status} ${response.statusText}`.trim()),
    );
  }
  return decodeIdx(new Uint8Array(await response.arrayBuffer()), url);
}
