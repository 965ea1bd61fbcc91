// @vaejs/training for Node: everything of the browser entry (index.ts; the same names, but `fit` with run folders),
// plus run folders (metrics, pictures, atomic checkpoints, exact resume, one writer, signals), their reader over files
// (`fileRunSource`) and file IO handlers that need no tfjs-node. Keep the shared names in step with index.ts.
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
export { archiveRunSource, isRunArchive, unpackRunArchive } from './node/archive';
export {
  type BridgeConfigExtra,
  bridgeConfigOf,
  bridgeDataset,
  checkpointOptimizerSlots,
  type ExportBridgeOptions,
  exportBridgeFolder,
  writeBridgeRun,
} from './node/bridge-export';
export { type BridgeFolder, readBridgeFolder, writeBridgeFolder } from './node/bridge-folder';
export { findLatestCheckpoint, listCheckpoints, readCheckpointFolder } from './node/checkpoint-folder';
export { fileIO, loadNamedTensors, replaceFileDurable, saveNamedTensors, writeFileDurable } from './node/file-io';
export { fileRunSource } from './node/file-source';
export { memoryFigures } from './node/host';
export { acquireLockFile, acquireRunLock, type LockOptions, type RunLock } from './node/lock';
export { fit } from './node/node-fit';
export { osErrorLine } from './node/os-error';
export { barChart, lineChart, niceTicks } from './node/plot';
export { imageGrid, type Raster, writeImageGrid, writePng } from './node/png';
export { loadRunImages, type RunDataOptions, runDataFolder } from './node/run-data';
export { openRunFolder } from './node/run-folder';
export { createScalarWriter, type ScalarWriter, tensorBoard } from './node/tensorboard';
export { type RunFolderContent, writeRunFolder } from './node/write-run';
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
