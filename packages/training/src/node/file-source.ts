/** A run folder on the file system, for `createRunReader`: the same reads `fit` resumes from (`checkpoint-folder.ts`). */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunSource } from '../run-folder/run-source';
import { CHECKPOINT_INFO_FILE, CHECKPOINTS_DIR } from '../run-format';
import { findLatestCheckpoint, partIO, readCheckpointFolder, readJsonIfPresent } from './checkpoint-folder';

/**
 * The run, checkpoint or model folder at `dir` (a path, relative to the working folder or absolute).
 * @example const checkpoint = await reader.locate(fileRunSource('runs/vae'), { kinds: ['vae'] });
 */
export function fileRunSource(dir: string): RunSource {
  return {
    location: dir,
    exists: async () => existsSync(dir) && statSync(dir).isDirectory(),
    readJson: async (path) => readJsonIfPresent(join(dir, path)),
    checkpoint: async () => (existsSync(join(dir, CHECKPOINT_INFO_FILE)) ? readCheckpointFolder(dir) : null),
    latestCheckpoint: async () => findLatestCheckpoint(dir),
    io: partIO(dir),
    parentRun: () => (basename(dirname(dir)) === CHECKPOINTS_DIR ? fileRunSource(dirname(dirname(dir))) : null),
  };
}
