import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, formatExpected } from '@vaejs/core';
import { writeFileDurable } from './file-io';

/**
 * Checkpoints live in `<run>/checkpoints/epoch-0003/`. Each is written into a temporary folder and renamed into
 * place only when complete (`checkpoint.json` is written last), then `latest.json` is replaced by rename: a process
 * killed at any moment leaves the previous checkpoint loadable.
 */
export interface CheckpointInfo {
  format: 'vaejs-checkpoint';
  version: 1;
  /** 'vae', 'vqvae' or 'pixelcnn': what wrote it. */
  kind: string;
  epoch: number;
  step: number;
  /** Anything else the trainer needs to resume (rng state, metrics history, …). */
  state: Record<string, unknown>;
}

const KEEP = 2;

function checkpointsDir(runDir: string): string {
  return join(runDir, 'checkpoints');
}

function epochName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/**
 * Writes a checkpoint atomically. `writeParts(dir)` writes the model files into a fresh folder; the info file is
 * written after it, then the folder is renamed into place and `latest.json` updated.
 */
export async function writeCheckpoint(
  runDir: string,
  info: CheckpointInfo,
  writeParts: (dir: string) => Promise<void>,
): Promise<string> {
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  const temporary = join(root, `.tmp-${epochName(info.epoch)}-${process.pid}-${Date.now()}`);
  mkdirSync(temporary);
  try {
    await writeParts(temporary);
    writeFileDurable(join(temporary, 'checkpoint.json'), JSON.stringify(info, null, 2));
    const final = join(root, epochName(info.epoch));
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(temporary, final);
    const latestTemporary = join(root, `.latest-${process.pid}.json`);
    writeFileDurable(latestTemporary, JSON.stringify({ checkpoint: epochName(info.epoch) }));
    renameSync(latestTemporary, join(root, 'latest.json'));
    prune(root, info.epoch);
    return final;
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

function listComplete(root: string): { name: string; epoch: number }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => /^epoch-\d{4,}$/.test(name) && existsSync(join(root, name, 'checkpoint.json')))
    .map((name) => ({ name, epoch: Number(name.slice('epoch-'.length)) }))
    .sort((a, b) => a.epoch - b.epoch);
}

function prune(root: string, newest: number): void {
  const complete = listComplete(root).filter((entry) => entry.epoch <= newest);
  for (const entry of complete.slice(0, Math.max(0, complete.length - KEEP))) {
    rmSync(join(root, entry.name), { recursive: true, force: true });
  }
  for (const name of readdirSync(root)) {
    if (name.startsWith('.tmp-') && !name.includes(`-${process.pid}-`)) {
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

function readInfo(dir: string): CheckpointInfo {
  const path = join(dir, 'checkpoint.json');
  let info: CheckpointInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as CheckpointInfo;
  } catch (error) {
    throw new CheckpointError(formatExpected('checkpoint', path, 'readable JSON', (error as Error).message));
  }
  if (info?.format !== 'vaejs-checkpoint') {
    throw new CheckpointError(
      formatExpected('checkpoint', `${path} format`, "'vaejs-checkpoint'", String(info?.format)),
    );
  }
  return info;
}

/**
 * Finds the newest complete checkpoint of a run: the one `latest.json` names, or, when that is missing or
 * unreadable, the newest complete folder. Returns null when the run has none.
 */
export function findLatestCheckpoint(runDir: string): { dir: string; info: CheckpointInfo } | null {
  const root = checkpointsDir(runDir);
  try {
    const latest = JSON.parse(readFileSync(join(root, 'latest.json'), 'utf8')) as { checkpoint: string };
    const dir = join(root, latest.checkpoint);
    return { dir, info: readInfo(dir) };
  } catch {
    const complete = listComplete(root);
    for (const entry of complete.reverse()) {
      try {
        const dir = join(root, entry.name);
        return { dir, info: readInfo(dir) };
      } catch {
        // an unreadable folder: try the one before it
      }
    }
    return null;
  }
}

/** Reads a checkpoint and checks it was written by a model of `kind`. */
export function readCheckpoint(dir: string, kind: string, fn: string): CheckpointInfo {
  const info = readInfo(dir);
  if (info.kind !== kind) {
    throw new CheckpointError(formatExpected(fn, `checkpoint ${dir}`, `a ${kind} checkpoint`, `a ${info.kind} one`));
  }
  return info;
}
