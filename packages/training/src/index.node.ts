// @vaejs/training for Node: everything of the browser entry (index.ts; the same names, but `fit` with run folders),
// plus run folders (metrics, pictures, atomic checkpoints, exact resume, one writer, signals), their reader over files
// (`fileRunSource`) and file IO handlers that need no tfjs-node. The shared names are in portable.ts.

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
export * from './portable';
