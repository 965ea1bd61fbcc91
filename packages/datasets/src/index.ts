// Pure parts (run in a browser too)

export {
  type Batch,
  type Batches,
  type BatchesConfig,
  createBatches,
  DEFAULT_BATCHES_CONFIG,
  type ResolvedBatchesConfig,
  resolveBatchesConfig,
} from './batches';
export {
  createDataset,
  datasetFromIdx,
  type ImageDataset,
  type ImageDatasetInit,
  splitValidation,
  subset,
} from './dataset';
export { decodeIdx, encodeIdx, type IdxArray, type IdxData, type IdxDtype, isGzip, parseIdx } from './idx';
// Node only (node:fs, node:zlib, pngjs); tree-shaken away from browser bundles that do not import them
export { type IdxFolderOptions, loadIdxFolder, readIdxFile } from './node/idx-file';
export { type ImageFolderOptions, loadImageFolder } from './node/image-folder';
export { DATASET_SOURCES, type DatasetSource, type LoadDatasetOptions, loadDataset } from './node/load-dataset';
export {
  DEFAULT_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASS_NAMES,
  loadFashionMnist,
  loadMnist,
  type MnistOptions,
  resolveMnistDataDir,
} from './node/mnist';
export { type Corruption, corruptPixels } from './pixels';
export { type ResizeMethod, resizeImage } from './resize';
