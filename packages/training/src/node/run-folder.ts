/**
 * The run folder on disk (the format is `run-format.ts`): one writer at a time (an exclusive lock file), atomic
 * checkpoints (written into a temporary folder, renamed into place, then `latest.json` replaced by rename: a process
 * killed at any moment leaves the previous checkpoint loadable), and reads that never leave the folder.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { CheckpointError, ConfigError, formatExpected, type ModelManifest, type Preview } from '@vaejs/core';
import {
  CHECKPOINT_INFO_FILE,
  CHECKPOINTS_DIR,
  type CheckpointInfo,
  checkCheckpointInfo,
  type EpochRecord,
  epochCheckpointName,
  isCheckpointName,
  LATEST_FILE,
  LOCK_FILE,
  METRICS_FILE,
  manifestFileName,
  OPTIMIZER_STATE,
  PICTURES_DIR,
  parseLatest,
  RUN_CONFIG_FILE,
  RUN_FORMAT,
  type RunConfig,
  stepCheckpointName,
} from '../run-format';
import type { CheckpointContent, RunStore, StoredCheckpoint } from '../run-store';
import { fileIO, loadNamedTensors, saveNamedTensors, writeFileDurable } from './file-io';
import { barChart, lineChart } from './plot';
import { imageGrid, writePng } from './png';

const FN = 'fit';

/** What `.lock` holds. */
export interface RunLock {
  pid: number;
  host: string;
  startedAt: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): RunLock | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunLock;
  } catch {
    return null;
  }
}

/**
 * Takes the run's lock: `.lock` created with O_EXCL holding pid and host. A lock of a process that no longer runs
 * (on this host) is taken over, with a line on `warn`; a live one is a ConfigError naming the pid.
 */
export function acquireRunLock(dir: string, warn: (line: string) => void = () => {}): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: RunLock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const held = readLock(path);
        if (held?.pid === mine.pid && held.host === mine.host) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = readLock(path);
      const stale = held !== null && held.host === mine.host && !pidAlive(held.pid);
      const unreadable = held === null && Date.now() - statSync(path).mtimeMs > 10_000;
      if (!stale && !unreadable) {
        const who = held ? `process ${held.pid} on ${held.host} (since ${held.startedAt})` : 'another process';
        throw new ConfigError(
          formatExpected(
            FN,
            'options.runDir',
            `a run no other process writes`,
            `'${dir}', which ${who} is writing (${path})`,
          ),
        );
      }
      warn(
        `${FN}: taking over the lock of ${held ? `process ${held.pid}, which no longer runs` : 'an unreadable lock file'} (${path})`,
      );
      rmSync(path, { force: true });
    }
  }
  throw new ConfigError(formatExpected(FN, 'options.runDir', 'a lock on the run', `'${dir}' (could not take ${path})`));
}

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
  const info = checkCheckpointInfo(
    readJsonFile(join(checkpointDir, CHECKPOINT_INFO_FILE)),
    join(checkpointDir, CHECKPOINT_INFO_FILE),
  );
  const manifestPath = join(checkpointDir, manifestFileName(info.kind));
  const manifest = readJsonFile(manifestPath) as ModelManifest;
  if (!Array.isArray(manifest?.parts) || !manifest.parts.every((part) => isCheckpointPart(part))) {
    throw new CheckpointError(
      formatExpected('checkpoint', `${manifestPath} parts`, 'plain part names', JSON.stringify(manifest?.parts)),
    );
  }
  return {
    location: checkpointDir,
    info,
    manifest,
    io: (part) => {
      if (!isCheckpointPart(part)) {
        throw new CheckpointError(formatExpected('checkpoint', 'part', 'a plain part name', JSON.stringify(part)));
      }
      return fileIO(join(checkpointDir, part), part);
    },
    readOptimizerState: () => loadNamedTensors(checkpointDir, OPTIMIZER_STATE),
  };
}

function isCheckpointPart(part: unknown): part is string {
  return typeof part === 'string' && /^[a-z][\w-]*$/i.test(part);
}

function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new CheckpointError(formatExpected('checkpoint', 'file', path, 'none'));
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(formatExpected('checkpoint', path, 'readable JSON', (error as Error).message));
  }
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
    if (name !== null && existsSync(join(root, name, CHECKPOINT_INFO_FILE)))
      return readCheckpointFolder(join(root, name));
  }
  const complete = listCheckpoints(dir);
  const newest = complete[complete.length - 1];
  return newest ? readCheckpointFolder(join(root, newest.name)) : null;
}

/** True when `dir` looks like a run folder (a config.json of a run, metrics, or checkpoints). */
function looksLikeRun(dir: string): boolean {
  const config = join(dir, RUN_CONFIG_FILE);
  if (existsSync(config)) {
    try {
      const json = JSON.parse(readFileSync(config, 'utf8')) as { format?: unknown; command?: unknown };
      if (json.format === RUN_FORMAT || typeof json.command === 'string') return true;
    } catch {
      // not ours
    }
  }
  return existsSync(join(dir, METRICS_FILE)) || existsSync(join(dir, CHECKPOINTS_DIR));
}

/** Files other processes may have left in the checkpoints folder: temporary folders of dead writers. */
function removeStaleTemporaries(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const match = /^\.tmp-.*-(\d+)-\d+$/.exec(name) ?? /^\.latest-(\d+)\.json$/.exec(name);
    if (match && (Number(match[1]) === process.pid || !pidAlive(Number(match[1])))) {
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}

/**
 * Opens a run folder for `fit`: takes the lock, then checks the folder suits the request — a new run needs an empty
 * folder or a run folder without a checkpoint (one killed early or refused starts again); `resume: true` needs a
 * checkpoint. Everything is checked before anything is written.
 */
export function openRunFolder(
  dir: string,
  options: { resume: boolean | 'auto'; warn?: (line: string) => void },
): RunStore {
  const runDir = resolve(dir);
  if (existsSync(runDir) && !statSync(runDir).isDirectory()) {
    throw new ConfigError(formatExpected(FN, 'options.runDir', 'a folder', `'${dir}', which is a file`));
  }
  mkdirSync(runDir, { recursive: true });
  const release = acquireRunLock(runDir, options.warn);
  try {
    const checkpointsRoot = join(runDir, CHECKPOINTS_DIR);
    removeStaleTemporaries(checkpointsRoot);
    const latest = findLatestCheckpoint(runDir);
    if (options.resume === true && latest === null) {
      throw new CheckpointError(
        formatExpected(
          FN,
          'options.resume',
          `a checkpoint in ${checkpointsRoot}`,
          'none (start a new run without resume)',
        ),
      );
    }
    if (options.resume === false) {
      if (latest !== null) {
        throw new ConfigError(
          formatExpected(
            FN,
            'options.runDir',
            'a new folder, or a run without checkpoints (resume continues a run)',
            `'${dir}', which has checkpoint ${latest.location}`,
          ),
        );
      }
      const others = readdirSync(runDir).filter((name) => name !== LOCK_FILE);
      if (others.length > 0 && !looksLikeRun(runDir)) {
        throw new ConfigError(
          formatExpected(
            FN,
            'options.runDir',
            'an empty folder or a run folder',
            `'${dir}', which holds other files (${others[0]})`,
          ),
        );
      }
    }
    return createStore(runDir, release);
  } catch (error) {
    release();
    throw error;
  }
}

function createStore(dir: string, release: () => void): RunStore {
  const checkpointsRoot = join(dir, CHECKPOINTS_DIR);
  const picture = (name: string) => join(dir, `${name}.png`);
  return {
    dir,
    latestCheckpoint: () => findLatestCheckpoint(dir),
    readConfig() {
      const path = join(dir, RUN_CONFIG_FILE);
      if (!existsSync(path)) return null;
      try {
        const json = JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
        return json.format === RUN_FORMAT ? json : null;
      } catch {
        return null;
      }
    },
    writeConfig(config) {
      writeFileDurable(join(dir, RUN_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    },
    writeMetrics(records) {
      writeFileDurable(join(dir, METRICS_FILE), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    },
    appendMetrics(record) {
      appendFileSync(join(dir, METRICS_FILE), `${JSON.stringify(record)}\n`);
    },
    async writeCheckpoint(content: CheckpointContent, keep: number) {
      const { info } = content;
      const name = info.batch ? stepCheckpointName(info.step) : epochCheckpointName(info.epoch);
      mkdirSync(checkpointsRoot, { recursive: true });
      const temporary = join(checkpointsRoot, `.tmp-${name}-${process.pid}-${Date.now()}`);
      mkdirSync(temporary);
      try {
        const manifest = await content.saveModel((part) => fileIO(join(temporary, part), part));
        writeFileDurable(join(temporary, manifestFileName(info.kind)), JSON.stringify(manifest, null, 2));
        await saveNamedTensors(temporary, OPTIMIZER_STATE, content.optimizerState);
        writeFileDurable(join(temporary, CHECKPOINT_INFO_FILE), JSON.stringify(info as CheckpointInfo, null, 2));
        const final = join(checkpointsRoot, name);
        if (existsSync(final)) rmSync(final, { recursive: true, force: true });
        renameSync(temporary, final);
        const latestTemporary = join(checkpointsRoot, `.latest-${process.pid}.json`);
        writeFileDurable(latestTemporary, JSON.stringify({ checkpoint: name }));
        renameSync(latestTemporary, join(checkpointsRoot, LATEST_FILE));
        const complete = listCheckpoints(dir);
        for (const entry of complete.slice(0, Math.max(0, complete.length - keep))) {
          if (entry.name !== name) rmSync(join(checkpointsRoot, entry.name), { recursive: true, force: true });
        }
        return final;
      } catch (error) {
        rmSync(temporary, { recursive: true, force: true });
        throw error;
      }
    },
    writePreviews(epoch, previews: Record<string, Preview>) {
      for (const [name, preview] of Object.entries(previews)) {
        const raster =
          'images' in preview
            ? imageGrid(preview.images, { columns: preview.columns ?? 8, scale: preview.scale ?? 2 })
            : barChart(preview.counts, preview.title ?? name);
        writePng(join(dir, PICTURES_DIR, `epoch-${String(epoch).padStart(3, '0')}-${name}.png`), raster);
        writePng(picture(name), raster);
      }
    },
    writeLossChart(records: EpochRecord[]) {
      const series = [{ name: 'train loss', values: records.map((record) => record.train_loss) }];
      if (records.some((record) => Number.isFinite(record.test_loss))) {
        series.push({ name: 'test loss', values: records.map((record) => record.test_loss) });
      }
      writePng(picture('loss'), lineChart(series, 'loss per epoch'));
    },
    close: release,
  };
}
