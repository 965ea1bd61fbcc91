/**
 * The checkpoints of a run folder held as files: list them, read one, find the newest — the reads of
 * `node/checkpoint-folder.ts`, with the same rules: `latest.json` names only a checkpoint folder of this run, a
 * checkpoint is complete once its `checkpoint.json` is there, parts are plain names read through `filesIO`.
 */
import { CheckpointError, formatExpected } from '@vaejs/core';
import type { StoredCheckpoint } from '../run-folder/store';
import {
  CHECKPOINT_INFO_FILE,
  CHECKPOINTS_DIR,
  checkCheckpointInfo,
  checkModelManifest,
  isCheckpointName,
  LATEST_FILE,
  manifestFileName,
  OPTIMIZER_STATE,
  parseLatest,
} from '../run-format';
import { filesIO, loadNamedTensorFiles } from './files-io';
import { latestPath, type RunFiles, readJsonFile } from './run-files';

/** The checkpoint folder at `folder` (`''` or ending in `/`) inside `files`; `location` names it in messages. */
export function readFilesCheckpoint(files: RunFiles, folder: string, location: string): StoredCheckpoint {
  const infoFile = `${location}${CHECKPOINT_INFO_FILE}`;
  const info = checkCheckpointInfo(required(files, `${folder}${CHECKPOINT_INFO_FILE}`, infoFile), infoFile);
  const manifestFile = `${location}${manifestFileName(info.kind)}`;
  const manifest = checkModelManifest(
    required(files, `${folder}${manifestFileName(info.kind)}`, manifestFile),
    manifestFile,
  );
  return {
    location,
    info,
    manifest,
    io: (part) => filesIO(files, folder, part, location),
    readOptimizerState: () => loadNamedTensorFiles(files, folder, OPTIMIZER_STATE, location),
  };
}

/** The complete checkpoints of the run at `prefix`, oldest first by step. */
export function listFilesCheckpoints(files: RunFiles, prefix: string): { name: string; step: number }[] {
  const root = `${prefix}${CHECKPOINTS_DIR}/`;
  const names = new Set<string>();
  for (const path of files.keys()) {
    if (!path.startsWith(root)) continue;
    const [name, file] = path.slice(root.length).split('/');
    if (file === CHECKPOINT_INFO_FILE && isCheckpointName(name)) names.add(name);
  }
  const entries: { name: string; step: number }[] = [];
  for (const name of names) {
    try {
      const info = checkCheckpointInfo(readJsonFile(files, `${root}${name}/${CHECKPOINT_INFO_FILE}`));
      entries.push({ name, step: info.step });
    } catch {
      // unreadable: not a checkpoint
    }
  }
  return entries.sort((a, b) => a.step - b.step || a.name.localeCompare(b.name));
}

/**
 * The newest complete checkpoint of the run at `prefix`: the one `latest.json` names (only a checkpoint folder of this
 * run: anything else is a CheckpointError), or, when that is missing or unreadable JSON, the newest complete folder.
 */
export function latestFilesCheckpoint(files: RunFiles, prefix: string, location: string): StoredCheckpoint | null {
  const latest = latestPath(prefix);
  let name: string | null = null;
  try {
    const shownAs = `${location}${CHECKPOINTS_DIR}/${LATEST_FILE}`;
    const json = readJsonFile(files, latest, shownAs);
    if (json !== null) name = parseLatest(json, shownAs);
  } catch (error) {
    if (CheckpointError.isInstance(error) && !/readable JSON/.test(error.message)) throw error;
  }
  const chosen =
    name !== null && files.has(`${prefix}${CHECKPOINTS_DIR}/${name}/${CHECKPOINT_INFO_FILE}`)
      ? name
      : (listFilesCheckpoints(files, prefix).at(-1)?.name ?? null);
  if (chosen === null) return null;
  const folder = `${prefix}${CHECKPOINTS_DIR}/${chosen}/`;
  return readFilesCheckpoint(files, folder, `${location}${CHECKPOINTS_DIR}/${chosen}/`);
}

// helpers

function required(files: RunFiles, path: string, shownAs: string): unknown {
  const json = readJsonFile(files, path, shownAs);
  if (json === null) throw new CheckpointError(formatExpected('checkpoint', 'file', shownAs, 'none'));
  return json;
}
