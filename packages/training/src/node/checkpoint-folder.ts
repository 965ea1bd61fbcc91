/**
 * A run's checkpoints on disk (their format is `run-format.ts`): list them, read one, find the newest, and
 * write one atomically — into a temporary folder, renamed into place, then `latest.json` replaced by rename, every
 * file flushed: a process killed at any moment leaves the previous checkpoint loadable. Reads never leave the folder:
 * `latest.json` names only a checkpoint of the run, parts are plain names, weights are checked by `fileIO`.
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
 * when that is missing or unreadable, the newest complete folder. Null when there is none.
 */
export function findLatestCheckpoint(dir: string): StoredCheckpoint | null {
  const root = join(dir, CHECKPOINTS_DIR);
  const latestPath = join(root, LATEST_FILE);
  if (existsSync(latestPath)) {
    let name: string | null = null;
    try {
      name = parseLatest(JSON.parse(readFileSync(latestPath, 'utf8')), latestPath);
    } catch (error) {
      if (CheckpointError.isInstance(error) && !/readable JSON/.test(error.message)) throw error;
    }
    if (name !== null && existsSync(join(root, name, CHECKPOINT_INFO_FILE))) {
      return readCheckpointFolder(join(root, name));
    }
  }
  const newest = listCheckpoints(dir).at(-1);
  return newest ? readCheckpointFolder(join(root, newest.name)) : null;
}

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
 * `keep` are removed (never the one just written).
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
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(temporary, final);
    const latestTemporary = join(root, `.latest-${process.pid}.json`);
    writeFileDurable(latestTemporary, JSON.stringify({ checkpoint: name }));
    renameSync(latestTemporary, join(root, LATEST_FILE));
    const complete = listCheckpoints(dir);
    for (const entry of complete.slice(0, Math.max(0, complete.length - keep))) {
      if (entry.name !== name) rmSync(join(root, entry.name), { recursive: true, force: true });
    }
    return final;
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Removes what writers that died (or this process, earlier) left in the run's checkpoints folder. */
export function removeStaleTemporaries(dir: string): void {
  const root = join(dir, CHECKPOINTS_DIR);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const match = /^\.tmp-.*-(\d+)-\d+$/.exec(name) ?? /^\.latest-(\d+)\.json$/.exec(name);
    if (match && (Number(match[1]) === process.pid || !processAlive(Number(match[1])))) {
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

/** The parsed JSON of a file of a checkpoint, or null when there is none. */
export function readJsonIfPresent(path: string): unknown {
  return existsSync(path) ? readJsonFile(path) : null;
}

// helpers

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new CheckpointError(formatExpected('checkpoint', 'file', path, 'none'));
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(formatExpected('checkpoint', path, 'readable JSON', (error as Error).message));
  }
}
