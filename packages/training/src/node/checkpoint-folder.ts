/**
 * A run's checkpoints on disk (their format is `run-format.ts`): list them, read one, find the newest, and
 * write one atomically — into a temporary folder, renamed into place, then `latest.json` replaced by rename, every
 * file flushed: a process killed at any moment leaves the previous checkpoint loadable. Old checkpoints are renamed
 * aside (`.deleting-…`) before they are deleted, so that a checkpoint folder is always whole; what a killed writer
 * leaves is swept when the run is opened again. Reads never leave the folder: `latest.json` names only a checkpoint
 * of the run, parts are plain names, weights are checked by `fileIO`. A reader racing a writer that rotates its
 * checkpoints reads the new newest one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, formatExpected, type PartIO } from '@vaejs/core';
import type { CheckpointContent, StoredCheckpoint } from '../run-folder/store';
import {
  CHECKPOINT_INFO_FILE,
  CHECKPOINTS_DIR,
  type CheckpointInfo,
  checkCheckpointInfo,
  checkModelManifest,
  epochCheckpointName,
  isCheckpointName,
  isPartName,
  LATEST_FILE,
  manifestFileName,
  OPTIMIZER_STATE,
  parseLatest,
  stepCheckpointName,
} from '../run-format';
import { fileIO, loadNamedTensors, saveNamedTensors, writeFileDurable } from './file-io';
import { processAlive } from './lock';

/** Names of the complete checkpoints of a run (`checkpoint.json` present), oldest first by step. */
export function listCheckpoints(dir: string): { name: string; step: number }[] {
  const root = join(dir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return [];
  const entries: { name: string; step: number }[] = [];
  for (const name of readdirSync(root)) {
    if (!isCheckpointName(name)) continue;
    try {
      const info = checkCheckpointInfo(JSON.parse(readFileSync(join(root, name, CHECKPOINT_INFO_FILE), 'utf8')));
      entries.push({ name, step: info.step });
    } catch {
      // incomplete or unreadable: not a checkpoint
    }
  }
  return entries.sort((a, b) => a.step - b.step || a.name.localeCompare(b.name));
}

/** Reads one checkpoint folder of a run (its info, manifest, part IO and optimizer state). */
export function readCheckpointFolder(checkpointDir: string): StoredCheckpoint {
  const infoPath = join(checkpointDir, CHECKPOINT_INFO_FILE);
  const info = checkCheckpointInfo(readJsonFile(infoPath), infoPath);
  const manifestPath = join(checkpointDir, manifestFileName(info.kind));
  return {
    location: checkpointDir,
    info,
    manifest: checkModelManifest(readJsonFile(manifestPath), manifestPath),
    io: partIO(checkpointDir),
    readOptimizerState: () => loadNamedTensors(checkpointDir, OPTIMIZER_STATE),
  };
}

/**
 * The newest complete checkpoint of a run: the one `latest.json` names (only a checkpoint folder of this run), or,
 * when that is missing or unreadable, the newest complete folder. Null when there is none. A checkpoint that a writer
 * removes while it is read (a run training on with `checkpointEvery`) is passed over for the new newest one.
 */
export function findLatestCheckpoint(dir: string): StoredCheckpoint | null {
  for (let attempt = 1; ; attempt++) {
    const name = newestName(dir);
    if (name === null) return null;
    const folder = join(dir, CHECKPOINTS_DIR, name);
    try {
      return readCheckpointFolder(folder);
    } catch (error) {
      // removed (or renamed aside to be deleted) while it was read: read the new newest
      if (existsSync(join(folder, CHECKPOINT_INFO_FILE)) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

/** How often a reader reads again when the checkpoint it read was removed meanwhile. */
export const READ_ATTEMPTS = 8;

/** IO of the parts of the checkpoint (or bare model) folder `dir`: plain part names only, read through `fileIO`. */
export function partIO(dir: string): PartIO {
  return (part) => {
    if (!isPartName(part)) {
      throw new CheckpointError(formatExpected('checkpoint', 'part', 'a plain part name', JSON.stringify(part)));
    }
    return fileIO(join(dir, part), part);
  };
}

/**
 * Writes a checkpoint atomically into the run `dir` and returns its folder; complete checkpoints beyond the newest
 * `keep` are removed (never the one just written), each renamed aside first.
 */
export async function writeCheckpoint(dir: string, content: CheckpointContent, keep: number): Promise<string> {
  const { info } = content;
  const root = join(dir, CHECKPOINTS_DIR);
  const name = info.batch ? stepCheckpointName(info.step) : epochCheckpointName(info.epoch);
  mkdirSync(root, { recursive: true });
  const temporary = join(root, `.tmp-${name}-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    const manifest = await content.saveModel((part) => fileIO(join(temporary, part), part));
    writeFileDurable(join(temporary, manifestFileName(info.kind)), JSON.stringify(manifest, null, 2));
    await saveNamedTensors(temporary, OPTIMIZER_STATE, content.optimizerState);
    writeFileDurable(join(temporary, CHECKPOINT_INFO_FILE), JSON.stringify(info as CheckpointInfo, null, 2));
    const final = join(root, name);
    // a checkpoint of the same name (a resumed run writing it again) goes aside: the name never holds half of one
    const replaced = existsSync(final) ? moveAside(root, name) : null;
    renameSync(temporary, final);
    const latestTemporary = join(root, `.latest-${process.pid}.json`);
    writeFileDurable(latestTemporary, JSON.stringify({ checkpoint: name }));
    renameSync(latestTemporary, join(root, LATEST_FILE));
    if (replaced) rmSync(replaced, { recursive: true, force: true });
    const complete = listCheckpoints(dir);
    for (const entry of complete.slice(0, Math.max(0, complete.length - keep))) {
      if (entry.name !== name) rmSync(moveAside(root, entry.name), { recursive: true, force: true });
    }
    return final;
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes what writers that died (or this process, earlier) left in the run's checkpoints folder: checkpoints being
 * written (`.tmp-…`), `latest.json` being replaced, checkpoints being deleted (`.deleting-…`), and checkpoint folders
 * without their `checkpoint.json` (what a writer of an earlier release left when killed while deleting one), each of
 * those said on `warn`. Only the run's writer (holding its lock) may sweep.
 */
export function sweepCheckpoints(dir: string, warn: (line: string) => void = () => {}): void {
  const root = join(dir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const match =
      /^\.tmp-.*-(\d+)-\d+$/.exec(name) ??
      /^\.latest-(\d+)\.json$/.exec(name) ??
      /^\.deleting-.*-(\d+)-\d+$/.exec(name);
    if (match && (Number(match[1]) === process.pid || !processAlive(Number(match[1])))) {
      rmSync(path, { recursive: true, force: true });
    } else if (isCheckpointName(name) && !isCompleteCheckpoint(path)) {
      warn(`fit: removing ${path}, a checkpoint folder without its ${CHECKPOINT_INFO_FILE} (left by a killed writer)`);
      rmSync(moveAside(root, name), { recursive: true, force: true });
    }
  }
}

/** The parsed JSON of a file of a checkpoint, or null when there is none. */
export function readJsonIfPresent(path: string): unknown {
  return existsSync(path) ? readJsonFile(path) : null;
}

// helpers

/** The name of the run's newest checkpoint: the one `latest.json` names when it is there, else the newest complete. */
function newestName(dir: string): string | null {
  const root = join(dir, CHECKPOINTS_DIR);
  const latestPath = join(root, LATEST_FILE);
  if (existsSync(latestPath)) {
    let name: string | null = null;
    try {
      name = parseLatest(JSON.parse(readFileSync(latestPath, 'utf8')), latestPath);
    } catch (error) {
      // a latest.json replaced between the check and the read, or unreadable: the newest complete folder says
      const code = (error as NodeJS.ErrnoException).code;
      if (CheckpointError.isInstance(error) && !/readable JSON/.test(error.message)) throw error;
      if (!CheckpointError.isInstance(error) && code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
    if (name !== null && existsSync(join(root, name, CHECKPOINT_INFO_FILE))) return name;
  }
  return listCheckpoints(dir).at(-1)?.name ?? null;
}

/** Renames `<root>/<name>` aside (`.deleting-<name>-<pid>-<time>`) and returns where it went. */
function moveAside(root: string, name: string): string {
  const aside = join(root, `.deleting-${name}-${process.pid}-${Date.now()}`);
  renameSync(join(root, name), aside);
  return aside;
}

/** A checkpoint folder holds its checkpoint.json (written last): else it was never whole (a tampered one is kept). */
function isCompleteCheckpoint(folder: string): boolean {
  return existsSync(join(folder, CHECKPOINT_INFO_FILE));
}

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new CheckpointError(formatExpected('checkpoint', 'file', path, 'none'));
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(formatExpected('checkpoint', path, 'readable JSON', (error as Error).message));
  }
}
