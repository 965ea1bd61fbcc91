/**
 * Where a run folder's files come from, for `createRunReader`: the file system (`fileRunSource`, Node) or HTTP
 * (`httpRunSource`, any runtime). A source reads; the reader decides what to read. Each answers the two questions
 * that depend on how files are reached — is this folder a checkpoint, and which checkpoint of a run is the newest —
 * with the same checks (`format.ts`): a reader never leaves the folder it was given.
 */
import type { ModelManifest, PartIO } from '@vaejs/core';
import type { CheckpointInfo } from '../run-format';

/** A checkpoint folder as read: where it is, its `checkpoint.json`, its model manifest, and IO of its parts. */
export interface CheckpointFolder {
  /** The folder (a path, or a URL ending in `/`), as messages name it. */
  location: string;
  info: CheckpointInfo;
  /** `<kind>.json`, its parts checked to be plain names. */
  manifest: ModelManifest;
  /** Reads each part (checked: paths inside the part, exact sizes, finite weights). */
  io: PartIO;
}

/** A folder that may be a run, a checkpoint of one, or a bare model (a manifest and a folder per part). */
export interface RunSource {
  /** The folder (a path, or a URL ending in `/`), as messages name it. */
  readonly location: string;
  /** False when nothing is there (a path that is no folder); HTTP cannot tell, and says true. */
  exists(): Promise<boolean>;
  /**
   * The JSON of the file at `path` inside the folder (`config.json`), or null when there is none.
   * @throws CheckpointError for a file that is not JSON, or a request that fails
   */
  readJson(path: string): Promise<unknown>;
  /** The checkpoint this folder is (it holds `checkpoint.json`), or null. */
  checkpoint(): Promise<CheckpointFolder | null>;
  /**
   * The newest checkpoint of the run this folder is, or null: the one `checkpoints/latest.json` names (only a
   * checkpoint folder of the run), or, on files, when that is missing or stale, the newest complete one.
   */
  latestCheckpoint(): Promise<CheckpointFolder | null>;
  /** IO of the parts of this folder itself (a bare model folder). */
  io: PartIO;
  /** The run this folder is a checkpoint of (`<run>/checkpoints/<name>` → `<run>`), or null. */
  parentRun(): RunSource | null;
}
