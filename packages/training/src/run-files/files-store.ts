/**
 * A run folder held as files, opened for `fit` (its `store` option): the config, metrics and checkpoints of a run in a
 * `Map`, with an optional `persist` called with the whole folder each time a checkpoint is complete — IndexedDB keeps
 * it there (`indexeddb.ts`), in one transaction, so that what is kept is always one consistent run. A checkpoint is
 * built beside the folder, its weights checked finite, persisted, and only then put in: a broken model never replaces a
 * good checkpoint. Pictures are not kept (pages draw them from `onPreviews`).
 */
import { CheckpointError, ConfigError, formatExpected } from '@vaejs/core';
import { metricsCsv } from '../metrics-csv';
import { parseRunConfig } from '../run-folder/run-config';
import type { RunStore } from '../run-folder/store';
import {
  CHECKPOINT_INFO_FILE,
  CHECKPOINTS_DIR,
  type CheckpointInfo,
  type EpochRecord,
  epochCheckpointName,
  METRICS_CSV_FILE,
  METRICS_FILE,
  manifestFileName,
  OPTIMIZER_STATE,
  RUN_CONFIG_FILE,
  stepCheckpointName,
} from '../run-format';
import { latestFilesCheckpoint, listFilesCheckpoints } from './files-checkpoints';
import { checkFiniteFiles, filesIO, saveNamedTensorFiles } from './files-io';
import { jsonBytes, latestPath, type RunFiles, readJsonFile } from './run-files';

/** Options of {@link openFilesRun}. */
export interface OpenFilesRunOptions {
  /** As `fit`'s `resume`: false (a new run: no checkpoint may be there), true (one must be), 'auto'. */
  resume: boolean | 'auto';
  /** How messages and `fit`'s context name the run (`indexeddb:vae-mlp/`). Default `'memory/'`. */
  location?: string;
  /** Called with the whole folder when a checkpoint is complete, before it counts as written (IndexedDB's write). */
  persist?: (files: RunFiles) => Promise<void>;
  /**
   * Called before each checkpoint is kept: throw to refuse it (a page whose WebGL context was lost: the weights in
   * memory are no longer the model's). The last good checkpoint stays.
   */
  guard?: () => void;
}

const FN = 'fit';

/**
 * A run store over `files` (changed in place) for `fit`'s `store` option: a new run needs files without a checkpoint,
 * `resume: true` needs one.
 * @throws CheckpointError for `resume: true` without a checkpoint; ConfigError for a new run over one
 * @example
 * const files = new Map();
 * await fit(vae, data, { epochs: 2, store: openFilesRun(files, { resume: false }) });
 * const zip = writeZip(files); // the run folder, as the CLI reads it
 */
export function openFilesRun(files: RunFiles, options: OpenFilesRunOptions): RunStore {
  const location = options.location ?? 'memory/';
  const latest = latestFilesCheckpoint(files, '', location);
  if (options.resume === true && latest === null) {
    throw new CheckpointError(
      formatExpected(FN, 'options.resume', `a checkpoint in ${location}`, 'none (start a new run without resume)'),
    );
  }
  if (options.resume === false && latest !== null) {
    const expected = 'a new run folder, or a run without checkpoints (resume continues a run)';
    throw new ConfigError(
      formatExpected(FN, 'options.store', expected, `${location}, which has checkpoint ${latest.location}`),
    );
  }
  const text = (value: unknown) => jsonBytes(value);
  return {
    dir: location,
    latestCheckpoint: () => latestFilesCheckpoint(files, '', location),
    readConfig() {
      try {
        return parseRunConfig(readJsonFile(files, RUN_CONFIG_FILE));
      } catch {
        return null;
      }
    },
    writeConfig(config) {
      files.set(RUN_CONFIG_FILE, text(config));
    },
    writeMetrics(records) {
      files.set(METRICS_FILE, metricsBytes(records));
      files.set(METRICS_CSV_FILE, new TextEncoder().encode(metricsCsv(records)));
    },
    appendMetrics(record) {
      const before = new TextDecoder().decode(files.get(METRICS_FILE) ?? new Uint8Array(0));
      files.set(METRICS_FILE, new TextEncoder().encode(`${before}${JSON.stringify(record)}\n`));
      const records = `${before}${JSON.stringify(record)}\n`.trim().split('\n');
      files.set(METRICS_CSV_FILE, new TextEncoder().encode(metricsCsv(records.map((line) => JSON.parse(line)))));
    },
    async writeCheckpoint(content, keep) {
      const { info } = content;
      const name = info.batch ? stepCheckpointName(info.step) : epochCheckpointName(info.epoch);
      const folder = `${CHECKPOINTS_DIR}/${name}/`;
      const staged: RunFiles = new Map();
      const manifest = await content.saveModel((part) => filesIO(staged, folder, part, `${location}${folder}`));
      staged.set(`${folder}${manifestFileName(info.kind)}`, text(manifest));
      await saveNamedTensorFiles(staged, folder, OPTIMIZER_STATE, content.optimizerState);
      staged.set(`${folder}${CHECKPOINT_INFO_FILE}`, text(info as CheckpointInfo));
      try {
        checkFiniteFiles(staged, folder, manifest.parts, [OPTIMIZER_STATE]);
      } catch (error) {
        const kept = latestFilesCheckpoint(files, '', location)?.location ?? 'none';
        throw new CheckpointError(`${(error as Error).message} Not saved; the last good checkpoint is ${kept}.`);
      }
      options.guard?.();
      const next = nextFolder(files, staged, name, keep);
      await options.persist?.(next);
      files.clear();
      for (const [path, bytes] of next) files.set(path, bytes);
      return `${location}${folder}`;
    },
    writePreviews() {},
    writeLossChart() {},
    close() {},
  };
}

/** The records as metrics.jsonl, one JSON line each. */
export function metricsBytes(records: readonly EpochRecord[]): Uint8Array {
  return new TextEncoder().encode(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

// helpers

/** The folder with the staged checkpoint `name` in, `latest.json` naming it, and only the newest `keep` complete ones. */
function nextFolder(files: RunFiles, staged: RunFiles, name: string, keep: number): RunFiles {
  const root = `${CHECKPOINTS_DIR}/`;
  const next: RunFiles = new Map([...files].filter(([path]) => !path.startsWith(`${root}${name}/`)));
  for (const [path, bytes] of staged) next.set(path, bytes);
  next.set(latestPath(''), jsonBytes({ checkpoint: name }, 0));
  const complete = listFilesCheckpoints(next, '');
  const dropped = complete.slice(0, Math.max(0, complete.length - keep)).filter((entry) => entry.name !== name);
  for (const entry of dropped) {
    for (const path of [...next.keys()]) if (path.startsWith(`${root}${entry.name}/`)) next.delete(path);
  }
  return next;
}
