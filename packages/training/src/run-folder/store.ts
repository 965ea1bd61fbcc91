/**
 * What `fit` needs of a run folder, without saying how it is stored: the Node entry implements it on the file system
 * (`node/run-folder.ts`); in a browser there is none and `fit` runs with callbacks only.
 */
import type { ModelManifest, PartIO, Preview } from '@vaejs/core';
import type { NamedTensor } from '../optimizer';
import type { ProgressStream } from '../progress-bar';
import type { CheckpointInfo, EpochRecord, RunConfig } from '../run-format';
import type { CheckpointFolder } from './run-source';

/** A checkpoint read back for resume: a checkpoint folder on disk, with the optimizer's state. */
export interface StoredCheckpoint extends CheckpointFolder {
  /** The optimizer's named tensors; the caller disposes them. */
  readOptimizerState(): NamedTensor[];
}

/** What a checkpoint holds when written. */
export interface CheckpointContent {
  info: CheckpointInfo;
  /** Writes the model's parts through the handler factory and returns its manifest. */
  saveModel(io: PartIO): Promise<ModelManifest>;
  optimizerState: NamedTensor[];
}

/** An open run folder: the lock is held from `openRun` until `close`. */
export interface RunStore {
  readonly dir: string;
  /** The newest complete checkpoint, or null. */
  latestCheckpoint(): StoredCheckpoint | null;
  /** The config of the run (null for a folder that has none). */
  readConfig(): RunConfig | null;
  writeConfig(config: RunConfig): void;
  /** Replaces metrics.jsonl with these records (a resumed run drops lines of epochs it redoes). */
  writeMetrics(records: EpochRecord[]): void;
  appendMetrics(record: EpochRecord): void;
  /** Writes a checkpoint atomically and returns its folder; older ones beyond `keep` are removed. */
  writeCheckpoint(content: CheckpointContent, keep: number): Promise<string>;
  /** Writes an epoch's pictures (`<name>.png` and `pictures/epoch-NNN-<name>.png`). Does not dispose them. */
  writePreviews(epoch: number, previews: Record<string, Preview>): void;
  /** Draws the loss curves of the records so far as loss.png. */
  /** loss.png: the losses by epoch, the y axis in `unit` (the model's `lossUnit`). */
  writeLossChart(records: EpochRecord[], unit?: string): void;
  /** Releases the lock. */
  close(): void;
}

/** How the entry point provides stores, process facts and output; the browser entry has no store. */
export interface FitHost {
  openRun?(dir: string, options: { resume: boolean | 'auto' }): RunStore;
  /** Memory figures for metrics.jsonl, in MiB. */
  memory(): Record<string, number>;
  /** Prints one line (verbose output). */
  print(line: string): void;
  /** The terminal `verbose: 1` draws its bar on (Node: stderr), if any. */
  terminal?(): ProgressStream | undefined;
  /** Lets the event loop turn (timers, I/O callbacks) between read-backs. */
  yieldToEventLoop(): Promise<void>;
  /**
   * Calls `onSignal` on SIGINT/SIGTERM while training; returns the function that removes the handlers. After the
   * checkpoint, `exitWithSignal` ends the process as the signal would have.
   */
  watchSignals?(onSignal: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  exitWithSignal?(signal: 'SIGINT' | 'SIGTERM'): void;
}
