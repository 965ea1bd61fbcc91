// @vaejs/datasets for Node (the package's "node" export condition): the pure parts, as in browser.ts, plus the
// loaders that read files. Keep the two export lists alike: entries.test.ts checks they name the same exports.

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
  CODES_MANIFEST_FORMAT,
  type CodeMapBatch,
  type CodeMapBatches,
  type CodeMapBatchesConfig,
  type CodeMapDataset,
  type CodeMapDatasetInit,
  createCodeMapBatches,
  createCodeMapDataset,
  subsetCodeMaps,
} from './code-maps';
export {
  createDataset,
  datasetFromIdx,
  holdOutTest,
  type ImageDataset,
  type ImageDatasetInit,
  splitValidation,
  subset,
} from './dataset';
export { type CodeMapEncoder, type EncodeCodeMapsOptions, encodeCodeMaps } from './encode-code-maps';
export { type FetchDatasetOptions, fetchDataset } from './fetch-dataset';
export {
  decodeIdx,
  encodeIdx,
  type IdxArray,
  type IdxData,
  type IdxDtype,
  type IdxHeader,
  type IdxReadOptions,
  isGzip,
  parseIdx,
  readIdxHeader,
} from './idx';
// Node only (node:fs, node:zlib, pngjs): in browser.ts these are stubs that throw
export {
  type CodesManifest,
  type LoadCodeMapsOptions,
  loadCodeMaps,
  readCodesManifest,
  writeCodeMaps,
} from './node/code-map-files';
export { type IdxFolderOptions, loadIdxFolder, readIdxFile } from './node/idx-file';
export { type ImageFolderOptions, loadImageFolder } from './node/image-folder';
export { type LoadDatasetOptions, loadDataset } from './node/load-dataset';
export { datasetSource, type LoadSplitsOptions, loadSplits } from './node/load-splits';
export { loadFashionMnist, loadMnist, type MnistOptions, resolveMnistDataDir } from './node/mnist';
export { type Corruption, corruptPixels } from './pixels';
export { type ResizeMethod, resizeImage } from './resize';
export { DATASET_SOURCES, type DatasetSource, DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES } from './sources';
export { datasetPixelMean, datasetPixelVariance } from './statistics';
