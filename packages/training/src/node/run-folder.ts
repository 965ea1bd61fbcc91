/**
 * A run folder on disk, opened for `fit` (the format is `run-format.ts`): the lock taken (`lock.ts`), what killed
 * writers left swept, the folder checked against the request, then a store that writes the config, metrics, pictures
 * and checkpoints (`checkpoint-folder.ts`). Everything is checked before anything is written, and every file is
 * replaced as a whole (a temporary file renamed over it): a process killed at any moment leaves a run that resumes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CheckpointError, ConfigError, formatExpected, type Preview } from '@vaejs/core';
import { metricsCsv } from '../metrics-csv';
import { parseRunConfig } from '../run-folder/run-config';
import type { RunStore, StoredCheckpoint } from '../run-folder/store';
import {
  CHECKPOINTS_DIR,
  type EpochRecord,
  LOCK_FILE,
  METRICS_CSV_FILE,
  METRICS_FILE,
  PICTURES_DIR,
  RUN_CONFIG_FILE,
  RUN_FORMAT,
} from '../run-format';
import { findLatestCheckpoint, readJsonIfPresent, sweepCheckpoints, writeCheckpoint } from './checkpoint-folder';
import { removeStaleTemporaryFiles, replaceFileDurable } from './file-io';
import { acquireRunLock, processAlive, removeStaleLockFiles } from './lock';
import { barChart, lineChart } from './plot';
import { imageGrid, writePng } from './png';

const FN = 'fit';

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
    sweep(runDir, options.warn);
    checkRequest(dir, runDir, options.resume, findLatestCheckpoint(runDir));
    return createStore(runDir, release);
  } catch (error) {
    release();
    throw error;
  }
}

// helpers

/** Removes what writers killed in this run left: temporary files, takeover markers, checkpoints half deleted. */
function sweep(runDir: string, warn?: (line: string) => void): void {
  removeStaleLockFiles(join(runDir, LOCK_FILE));
  removeStaleTemporaryFiles(runDir, processAlive);
  removeStaleTemporaryFiles(join(runDir, PICTURES_DIR), processAlive);
  sweepCheckpoints(runDir, warn);
}

/** Refuses a resume without a checkpoint, and a new run over checkpoints or over files that are not a run's. */
function checkRequest(dir: string, runDir: string, resume: boolean | 'auto', latest: StoredCheckpoint | null): void {
  if (resume === true && latest === null) {
    const where = `a checkpoint in ${join(runDir, CHECKPOINTS_DIR)}`;
    throw new CheckpointError(formatExpected(FN, 'options.resume', where, 'none (start a new run without resume)'));
  }
  if (resume !== false) return;
  if (latest !== null) {
    const expected = 'a new folder, or a run without checkpoints (resume continues a run)';
    throw new ConfigError(
      formatExpected(FN, 'options.runDir', expected, `'${dir}', which has checkpoint ${latest.location}`),
    );
  }
  const others = readdirSync(runDir).filter((name) => name !== LOCK_FILE);
  if (others.length > 0 && !looksLikeRun(runDir)) {
    const actual = `'${dir}', which holds other files (${others[0]})`;
    throw new ConfigError(formatExpected(FN, 'options.runDir', 'an empty folder or a run folder', actual));
  }
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

function createStore(dir: string, release: () => void): RunStore {
  const picture = (name: string) => join(dir, `${name}.png`);
  return {
    dir,
    latestCheckpoint: () => findLatestCheckpoint(dir),
    readConfig() {
      try {
        return parseRunConfig(readJsonIfPresent(join(dir, RUN_CONFIG_FILE)));
      } catch {
        return null;
      }
    },
    writeConfig(config) {
      replaceFileDurable(join(dir, RUN_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    },
    writeMetrics(records) {
      replaceFileDurable(join(dir, METRICS_FILE), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      replaceFileDurable(join(dir, METRICS_CSV_FILE), metricsCsv(records));
    },
    appendMetrics(record) {
      // the whole file again (a line per epoch): a kill mid-write never leaves half a line
      const path = join(dir, METRICS_FILE);
      const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
      replaceFileDurable(path, `${before}${JSON.stringify(record)}\n`);
      // metrics.csv from metrics.jsonl, whole: its header is every field of every line
      const records = `${before}${JSON.stringify(record)}\n`.trim().split('\n');
      replaceFileDurable(join(dir, METRICS_CSV_FILE), metricsCsv(records.map((line) => JSON.parse(line))));
    },
    writeCheckpoint: (content, keep) => writeCheckpoint(dir, content, keep),
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
    writeLossChart(records: EpochRecord[], unit?: string) {
      const series = [{ name: 'train loss', values: records.map((record) => record.train_loss) }];
      if (records.some((record) => Number.isFinite(record.test_loss))) {
        series.push({ name: 'test loss', values: records.map((record) => record.test_loss) });
      }
      writePng(
        picture('loss'),
        lineChart(series, 'loss per epoch', { yLabel: `loss (${unit ?? 'as the model reports it'})` }),
      );
    },
    close: release,
  };
}
