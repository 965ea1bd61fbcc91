/**
 * Names of the built-in data sources: plain constants, shared by the Node loaders and the browser build.
 */

/** The sources `loadDataset` knows. */
export const DATASET_SOURCES = ['mnist', 'fashion-mnist', 'idx', 'images'] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

/** Where Debian's `dataset-fashion-mnist` package puts the gzipped IDX files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's ten classes, index = label. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
