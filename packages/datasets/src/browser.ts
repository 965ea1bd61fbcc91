// @vaejs/datasets for browsers and bundlers (the package's "browser" and "default" export conditions): the pure
// parts, which import no Node builtin, and stubs of the Node loaders that throw a DataError saying so. Same export
// names as index.ts (the Node entry), so that code and types written against one compile against the other.

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
export {
  type CodesManifest,
  datasetSource,
  type IdxFolderOptions,
  type ImageFolderOptions,
  type LoadCodeMapsOptions,
  type LoadDatasetOptions,
  type LoadSplitsOptions,
  loadCodeMaps,
  loadDataset,
  loadFashionMnist,
  loadIdxFolder,
  loadImageFolder,
  loadMnist,
  loadSplits,
  type MnistOptions,
  readCodesManifest,
  readIdxFile,
  resolveMnistDataDir,
  writeCodeMaps,
} from './node-stubs';
export { type Corruption, corruptPixels } from './pixels';
export { type ResizeMethod, resizeImage } from './resize';
export { DATASET_SOURCES, type DatasetSource, DEFAULT_FASHION_MNIST_DIR, FASHION_MNIST_CLASS_NAMES } from './sources';
export { datasetPixelMean, datasetPixelVariance } from './statistics';
