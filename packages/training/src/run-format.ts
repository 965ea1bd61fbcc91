/**
 * The run folder, defined once: what `fit` writes, and what `createRunReader` reads for the `vaejs` CLI and the
 * browser demo. Pure (no file system): names, JSON shapes, and the checks that keep a reader inside the folder it was
 * given. On disk: `node/checkpoint-folder.ts` (checkpoints), `node/lock.ts` (`.lock`), `node/run-folder.ts` (the rest).
 *
 * ```
 * <run>/config.json                      what was trained: model config, fit options, data (RunConfig)
 * <run>/metrics.jsonl                    one EpochRecord per line
 * <run>/metrics.csv                      the same as a table (a header, a row per epoch)
 * <run>/tensorboard/events.out.tfevents.* with `tensorBoard()` (the CLI's --tensorboard): scalars for TensorBoard
 * <run>/loss.png, <run>/<preview>.png    the latest pictures; pictures/epoch-001-<preview>.png per epoch
 * <run>/.lock                            while a process writes the run (pid, host)
 * <run>/checkpoints/latest.json          {"checkpoint": "epoch-0003"} (or "step-00001234")
 * <run>/checkpoints/epoch-0003/          checkpoint.json, <kind>.json (the model manifest), one folder per part
 *                                        (model.json + weights.bin), optimizer.json + optimizer.bin
 * ```
 */
import { CheckpointError, describeValue, formatExpected, type ModelManifest } from '@vaejs/core';

export const RUN_CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
export const METRICS_CSV_FILE = 'metrics.csv';
export const TENSORBOARD_DIR = 'tensorboard';
export const LOCK_FILE = '.lock';
export const CHECKPOINTS_DIR = 'checkpoints';
export const LATEST_FILE = 'latest.json';
export const CHECKPOINT_INFO_FILE = 'checkpoint.json';
export const PICTURES_DIR = 'pictures';
/** The optimizer's slots are stored as `optimizer.json` (weight specs) + `optimizer.bin`. */
export const OPTIMIZER_STATE = 'optimizer';
/** The file of a tfjs LayersModel part and of its weights, inside the part's folder. */
export const PART_MODEL_FILE = 'model.json';
export const PART_WEIGHTS_FILE = 'weights.bin';

export const CHECKPOINT_FORMAT = 'vaejs-checkpoint';
export const RUN_FORMAT = 'vaejs-run';

/** One line of metrics.jsonl: the epoch's means (train parts by name, test parts prefixed `test_`) and figures. */
export interface EpochRecord extends Record<string, number | string> {
  epoch: number;
  train_loss: number;
  /** NaN when the run has no test data. */
  test_loss: number;
  images_per_sec: number;
  seconds: number;
  backend: string;
}

/**
 * `checkpoint.json`: where the run stood. `batch` is the next batch of `epoch` to train: 0 for a checkpoint written at
 * the end of an epoch (then `epoch` is the epoch completed), > 0 for one written mid-epoch (then `epoch` is the epoch
 * in progress and `state.partial` holds its running sums).
 */
export interface CheckpointInfo {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** What wrote it: the model manifest's kind ('vae', 'vqvae', 'pixelcnn'); its manifest is `<kind>.json`. */
  kind: string;
  epoch: number;
  step: number;
  batch?: number;
  /** What resume needs beside the weights: the RNG state, the history, a mid-epoch checkpoint's running sums. */
  state: {
    rng?: { seed: number; counter: number };
    history?: EpochRecord[];
    partial?: PartialEpoch;
    [key: string]: unknown;
  };
}

/** What a mid-epoch checkpoint keeps of its epoch (`state.partial`): the running sums of the loss parts, items, time. */
export interface PartialEpoch {
  sums: Record<string, number>;
  seen: number;
  seconds: number;
}

/** `config.json`: what the run trains. `app` is the caller's own (the CLI keeps its flags there). */
export interface RunConfig {
  format: typeof RUN_FORMAT;
  version: 1;
  kind: string;
  model: object;
  fit: Record<string, unknown>;
  data: { train: { name: string; size: number }; test: { name: string; size: number } | null };
  app?: Record<string, unknown>;
  createdAt: string;
}

/** The folder name of the checkpoint written after `epoch` completed. */
export function epochCheckpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** The folder name of a checkpoint written mid-epoch after `step` steps (a signal, or `checkpointEvery`). */
export function stepCheckpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

const CHECKPOINT_NAME = /^(epoch-\d{4,}|step-\d{8,})$/;

/** True for a checkpoint folder name of a run (`epoch-0003`, `step-00001234`): nothing else may be followed. */
export function isCheckpointName(name: unknown): name is string {
  return typeof name === 'string' && CHECKPOINT_NAME.test(name);
}

/** The file a checkpoint stores its model manifest in: `vae.json`, `vqvae.json`, `pixelcnn.json`. */
export function manifestFileName(kind: string): string {
  return `${kind}.json`;
}

/**
 * Reads `latest.json`'s content: the name of a checkpoint folder of the same run, nothing that leaves it.
 * @throws CheckpointError for anything else (`{"checkpoint": "../../etc"}`, an absolute path, a number…)
 */
export function parseLatest(json: unknown, where = LATEST_FILE): string {
  const name = (json as { checkpoint?: unknown } | null)?.checkpoint;
  if (!isCheckpointName(name)) {
    throw new CheckpointError(
      formatExpected(
        'checkpoint',
        where,
        'to name a checkpoint folder of this run ({"checkpoint": "epoch-0003"} or "step-00001234")',
        describeValue(name),
      ),
    );
  }
  return name;
}

/** True for a part folder name of a checkpoint (`encoder`, `network`): a plain name, nothing that leaves the folder. */
export function isPartName(part: unknown): part is string {
  return typeof part === 'string' && /^[a-z][\w-]*$/i.test(part);
}

/**
 * Checks a parsed model manifest (`<kind>.json`) as far as a reader of the run folder must: its parts are plain part
 * names (the model's loader checks the rest).
 * @throws CheckpointError naming the file
 */
export function checkModelManifest(json: unknown, where: string): ModelManifest {
  const manifest = json as Partial<ModelManifest> | null;
  if (!Array.isArray(manifest?.parts) || !manifest.parts.every((part) => isPartName(part))) {
    throw new CheckpointError(
      formatExpected('checkpoint', `${where} parts`, 'plain part names', JSON.stringify(manifest?.parts)),
    );
  }
  return manifest as ModelManifest;
}

/**
 * Checks a parsed `checkpoint.json`, every field: where the run stood (`epoch`, `step`, `batch` ≤ `step`), and its
 * `state` — the seeded stream, the history (one record per completed epoch, in order) and a mid-epoch checkpoint's
 * running sums. What depends on the data (`batch` below the batches of an epoch) is checked by `fit` on resume.
 * @throws CheckpointError naming the file and the field, e.g.
 *   `checkpoint: expected runs/x/checkpoints/epoch-0002/checkpoint.json state.history an array of epoch records, got 'zzz'.`
 */
export function checkCheckpointInfo(json: unknown, where = CHECKPOINT_INFO_FILE): CheckpointInfo {
  const info = json as Partial<CheckpointInfo> | null;
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new CheckpointError(formatExpected('checkpoint', `${where} ${field}`, expected, describeValue(got)));
  };
  if (typeof info !== 'object' || info === null || Array.isArray(info)) fail('', 'an object', info);
  if (info?.format !== CHECKPOINT_FORMAT) fail('format', `'${CHECKPOINT_FORMAT}'`, info?.format);
  if (info?.version !== 1) fail('version', '1', info?.version);
  if (typeof info?.kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(info.kind)) fail('kind', 'a model kind', info?.kind);
  for (const field of ['epoch', 'step'] as const) {
    const value = info?.[field];
    if (!isCount(value)) fail(field, 'an integer ≥ 0', value);
  }
  const { epoch, step, batch } = info as CheckpointInfo;
  if (batch !== undefined && (!isCount(batch) || batch > step)) {
    fail('batch', `an integer in [0, ${step}] (at most the steps trained, step ${step})`, batch);
  }
  const state = (info as CheckpointInfo).state as unknown;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) fail('state', 'an object', state);
  checkState(info as CheckpointInfo, (field, expected, got) => fail(`state.${field}`, expected, got));
  const midEpoch = batch !== undefined && batch > 0;
  const history = (info as CheckpointInfo).state.history;
  const completed = midEpoch ? epoch - 1 : epoch;
  if (history !== undefined && history.length > completed) {
    fail('state.history', `at most ${completed} records (one per epoch completed)`, history.length);
  }
  return info as CheckpointInfo;
}

/** What a tfjs weights manifest looks like (the part of `model.json` that names weight files). */
export interface WeightsGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string }[];
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

/**
 * Checks a part's `weightsManifest`: every path a plain file name inside the part's folder, every spec a known dtype
 * with a whole shape; returns the number of bytes the weights must have in all.
 * @throws CheckpointError naming the part and the offending path or weight
 */
export function checkWeightsManifest(part: string, manifest: unknown): number {
  const fail = (argument: string, expected: string, got: unknown): never => {
    throw new CheckpointError(formatExpected('checkpoint', `part '${part}' ${argument}`, expected, describeValue(got)));
  };
  if (!Array.isArray(manifest)) fail('weightsManifest', 'an array', manifest);
  let bytes = 0;
  for (const group of manifest as Partial<WeightsGroup>[]) {
    if (!Array.isArray(group?.paths)) fail('weightsManifest paths', 'an array', group?.paths);
    for (const path of group.paths as unknown[]) {
      if (typeof path !== 'string' || !/^[\w.-]+$/.test(path) || path === '.' || path === '..') {
        fail('weight path', 'a plain file name inside the part folder', path);
      }
    }
    if (!Array.isArray(group.weights)) fail('weights', 'an array', group.weights);
    for (const spec of group.weights as Partial<WeightsGroup['weights'][number]>[]) {
      const size = BYTES_PER_ELEMENT[spec?.dtype ?? ''];
      if (size === undefined) fail(`weight '${spec?.name}' dtype`, 'float32, int32, bool or uint8', spec?.dtype);
      const shape = spec?.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        fail(`weight '${spec?.name}' shape`, 'whole non-negative sizes', shape);
      }
      bytes += (shape as number[]).reduce((a, b) => a * b, 1) * (size as number);
    }
  }
  return bytes;
}

/**
 * Refuses weights that are not finite: a NaN or an infinity in a checkpoint means a broken run or a tampered file.
 * @throws CheckpointError naming the part and the weight
 */
export function checkFiniteWeights(part: string, groups: WeightsGroup[], data: ArrayBuffer): void {
  let offset = 0;
  for (const group of groups) {
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const size = BYTES_PER_ELEMENT[spec.dtype] ?? 4;
      if (spec.dtype === 'float32') {
        const values = new Float32Array(data.slice(offset, offset + count * 4));
        for (let i = 0; i < values.length; i++) {
          if (!Number.isFinite(values[i])) {
            throw new CheckpointError(
              formatExpected(
                'checkpoint',
                `part '${part}' weight '${spec.name}'`,
                'finite values',
                `${values[i]} at ${i}`,
              ),
            );
          }
        }
      }
      offset += count * size;
    }
  }
}

// helpers

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** A number of a record: finite, or null (JSON's NaN: a run without test data has no test loss). */
function isFigure(value: unknown): boolean {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

/** Checks `state.rng`, `state.history` and `state.partial` of a checkpoint.json. */
function checkState(info: CheckpointInfo, fail: (field: string, expected: string, got: unknown) => never): void {
  const { rng, history, partial } = info.state;
  if (rng !== undefined) {
    if (typeof rng !== 'object' || rng === null) fail('rng', 'an object { seed, counter }', rng);
    if (!isCount(rng.seed)) fail('rng.seed', 'an integer ≥ 0', rng.seed);
    if (!isCount(rng.counter)) fail('rng.counter', 'an integer ≥ 0', rng.counter);
  }
  if (history !== undefined) {
    if (!Array.isArray(history)) fail('history', 'an array of epoch records', history);
    history.forEach((record: unknown, index) => {
      const field = `history[${index}]`;
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        fail(field, 'an epoch record (an object)', record);
      }
      const values = record as Record<string, unknown>;
      if (values.epoch !== index + 1) fail(`${field}.epoch`, `${index + 1} (records in epoch order)`, values.epoch);
      if (!isFigure(values.train_loss)) fail(`${field}.train_loss`, 'a finite number', values.train_loss);
      for (const [name, value] of Object.entries(values)) {
        if (typeof value !== 'string' && !isFigure(value)) fail(`${field}.${name}`, 'a number or a string', value);
      }
    });
  }
  if (partial !== undefined) {
    if (typeof partial !== 'object' || partial === null) fail('partial', 'an object { sums, seen, seconds }', partial);
    const { sums, seen, seconds } = partial;
    if (typeof sums !== 'object' || sums === null || Array.isArray(sums)) fail('partial.sums', 'an object', sums);
    for (const [name, value] of Object.entries(sums)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`partial.sums.${name}`, 'a finite number', value);
    }
    if (!isCount(seen)) fail('partial.seen', 'an integer ≥ 0', seen);
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      fail('partial.seconds', 'a finite number ≥ 0', seconds);
    }
  }
}
