// The names both entries of @vaejs/training export (index.ts for browsers, index.node.ts for Node): everything but
// `fit`, which each entry gives its own (run folders on disk in Node), and the Node entry's file-system additions.

export {
  BRIDGE_CONFIG_FILE,
  BRIDGE_FORMAT,
  BRIDGE_OPTIMIZER_FILE,
  BRIDGE_WEIGHTS_FILE,
  type BridgeConfig,
  type BridgeTraining,
  checkBridgeConfig,
  OPTIMIZER_SLOTS,
  optimizerSlotsIn,
  optimizerSlotsOut,
  optimizerStateData,
} from './bridge-format';
export { bridgeReadme, TORCHRUN_LINE } from './bridge-readme';
export {
  type BatchLogs,
  type Callback,
  type EarlyStoppingOptions,
  earlyStopping,
  type FitContext,
  type History,
  type StopReason,
} from './callbacks';
export { dataSummary, type FitData, type FitDataset, testItems } from './data';
export { type EvaluateOptions, evaluate } from './evaluate';
export {
  formatDuration,
  formatLoss,
  formatNumber,
  formatRate,
  formatTable,
  roundSignificant,
  scoreRows,
} from './format';
export { type KlAnnealingOptions, klAnnealing } from './kl-annealing';
export { metricsCsv } from './metrics-csv';
export { type ModelTensors, readModelTensors, type WriteModelTensorsOptions, writeModelTensors } from './model-tensors';
export {
  createOptimizer,
  disposeOptimizerState,
  getOptimizerState,
  type NamedTensor,
  setOptimizerState,
} from './optimizer';
export {
  DEFAULT_FIT_OPTIONS,
  type FitOptions,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type PreviewFunction,
  type ResolvedFitOptions,
  resolveFitOptions,
  type StepContext,
} from './options';
export { createPauseSwitch, type PauseSwitch, type StopSignal } from './pause';
export type { PreviewPicture } from './preview-pictures';
export { type ProgressBarOptions, type ProgressStream, progressBar } from './progress-bar';
export { type Rephrasings, rephrase } from './rephrase';
export { filesIO } from './run-files/files-io';
export { filesRunSource } from './run-files/files-source';
export { metricsBytes, type OpenFilesRunOptions, openFilesRun } from './run-files/files-store';
export {
  type IndexedDbOptions,
  type IndexedDbRuns,
  indexedDbLocation,
  indexedDbRunSource,
  indexedDbRuns,
  openIndexedDbRun,
  RUNS_DATABASE,
} from './run-files/indexeddb';
export { checkRunPath, isRunPath, type RunFiles, runFilesOf } from './run-files/run-files';
export { crc32, readZip, writeZip } from './run-files/zip';
export { type HttpFetcher, httpIO } from './run-folder/http-io';
export { httpRunSource } from './run-folder/http-source';
export { hasReachedEpochs } from './run-folder/resume';
export { readRunFlags } from './run-folder/run-flags';
export {
  createRunReader,
  type LoadOptions,
  type LocatedCheckpoint,
  type LocateOptions,
  type MemoryLimit,
  type OpenedCheckpoint,
  type RunReader,
} from './run-folder/run-reader';
export type { CheckpointFolder, RunSource } from './run-folder/run-source';
export type { CheckpointContent, RunStore, StoredCheckpoint } from './run-folder/store';
export type { CheckpointInfo, EpochRecord, RunConfig } from './run-format';
export * as runFormat from './run-format';
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from './safetensors';
export { closest, editDistance } from './suggest';
