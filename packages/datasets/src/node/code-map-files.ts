/**
 * A folder of code maps on disk (Node only): `<split>-codes.idx` (int32 IDX `[n, h, w]`), `<split>-labels.idx`
 * (uint8 IDX `[n]`, when labelled) and `codes.json`, the manifest. What `vaejs encode` writes and `vaejs prior train`
 * reads.
 */
// Default imports of node builtins (not named ones): see idx-file.ts.
import fs from 'node:fs';
import path from 'node:path';
import { assertPositiveInt, DataError, describeValue, formatExpected } from '@vaejs/core';
import { CODES_MANIFEST_FORMAT, type CodeMapDataset, createCodeMapDataset, subsetCodeMaps } from '../code-maps';
import { encodeIdx } from '../idx';
import { readIdxFile } from './idx-file';

/** `codes.json`: what the folder holds and where the codes came from. */
export interface CodesManifest {
  format: 'vaejs-codes';
  version: 1;
  /** K: codes lie in [0, numCategories). Folders written before this field have `codebookSize` instead. */
  numCategories: number;
  height: number;
  width: number;
  /** Number of label classes; 0 when unlabelled. */
  numClasses: number;
  /** The split names, each with its `<split>-codes.idx`. */
  splits: string[];
  /**
   * Where the codes came from, as the writer described it (e.g. `{ vqvaeRun }`: the VQ-VAE whose decoder turns
   * sampled maps into images). Folders written before this field had `vqvaeRun` at the top: read as `{ vqvaeRun }`.
   */
  source: Record<string, unknown>;
}

const MANIFEST_FILE = 'codes.json';

/**
 * Writes code-map splits into `dir` (created if needed): `<split>-codes.idx`, `<split>-labels.idx` for labelled
 * splits, and `codes.json` last, so that a folder with a manifest is complete.
 * @param splits e.g. `{ train, test }`: code maps of one height, width, numCategories and numClasses
 * @param source where the codes came from, stored as `source` in the manifest
 * @returns the manifest written
 * @throws DataError for no splits, splits that disagree, a bad split name, or labels above 255 (uint8 files)
 * @example writeCodeMaps('codes', { train, test }, { vqvaeRun: 'runs/vqvae' });
 */
export function writeCodeMaps(
  dir: string,
  splits: Record<string, CodeMapDataset>,
  source: Record<string, unknown> = {},
): CodesManifest {
  const fn = 'writeCodeMaps';
  const entries = Object.entries(splits ?? {});
  const first = entries[0]?.[1];
  if (!first) throw new DataError(formatExpected(fn, 'splits', 'at least one split', describeValue(splits)));
  for (const [name, maps] of entries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) {
      throw new DataError(formatExpected(fn, 'split names', 'letters, digits, _ . - (a file name)', `'${name}'`));
    }
    for (const field of ['height', 'width', 'numCategories', 'numClasses'] as const) {
      if (maps[field] !== first[field]) {
        throw new DataError(
          formatExpected(fn, `splits.${name}.${field}`, `${first[field]} (as the first split's)`, `${maps[field]}`),
        );
      }
    }
    if (maps.numClasses > 256) {
      throw new DataError(
        formatExpected(fn, `splits.${name}.numClasses`, '≤ 256 (uint8 label files)', `${maps.numClasses}`),
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, maps] of entries) {
    writeAtomically(
      path.join(dir, `${name}-codes.idx`),
      encodeIdx('int32', [maps.size, maps.height, maps.width], maps.codes),
    );
    const labelsFile = path.join(dir, `${name}-labels.idx`);
    if (maps.labels) writeAtomically(labelsFile, encodeIdx('uint8', [maps.size], maps.labels));
    else fs.rmSync(labelsFile, { force: true }); // no stale labels from an earlier write
  }
  const manifest: CodesManifest = {
    format: CODES_MANIFEST_FORMAT,
    version: 1,
    numCategories: first.numCategories,
    height: first.height,
    width: first.width,
    numClasses: first.numClasses,
    splits: entries.map(([name]) => name),
    source: { ...source },
  };
  writeAtomically(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Reads and checks `<dir>/codes.json`, also as older folders wrote it (`codebookSize` for `numCategories`,
 * `vqvaeRun` for `source.vqvaeRun`).
 * @throws DataError for a missing folder or manifest, invalid JSON, another format or version, or bad fields
 * @example readCodesManifest('codes').splits; // ['train', 'test']
 */
export function readCodesManifest(dir: string): CodesManifest {
  const fn = 'readCodesManifest';
  if (!fs.existsSync(dir)) throw new DataError(formatExpected(fn, `folder '${dir}'`, 'to exist', 'none'));
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new DataError(
      formatExpected(
        fn,
        `folder '${dir}'`,
        `code maps with ${MANIFEST_FILE} (from writeCodeMaps or vaejs encode)`,
        `no ${MANIFEST_FILE}`,
      ),
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError(formatExpected(fn, `'${file}'`, 'valid JSON', (error as Error).message));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DataError(formatExpected(fn, `'${file}'`, 'a JSON object', describeValue(raw)));
  }
  if (raw.format !== CODES_MANIFEST_FORMAT) {
    throw new DataError(
      formatExpected(fn, `'${file}' format`, `'${CODES_MANIFEST_FORMAT}'`, describeValue(raw.format)),
    );
  }
  if (raw.version !== 1) throw new DataError(formatExpected(fn, `'${file}' version`, '1', describeValue(raw.version)));
  const numCategories = raw.numCategories ?? raw.codebookSize;
  const field = (name: string, value: unknown, min: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new DataError(formatExpected(fn, `'${file}' ${name}`, `an integer ≥ ${min}`, describeValue(value)));
    }
    return value;
  };
  const splits = raw.splits;
  if (!Array.isArray(splits) || splits.length === 0 || splits.some((split) => typeof split !== 'string')) {
    throw new DataError(formatExpected(fn, `'${file}' splits`, 'a non-empty array of names', describeValue(splits)));
  }
  const source =
    typeof raw.source === 'object' && raw.source !== null
      ? (raw.source as Record<string, unknown>)
      : raw.vqvaeRun !== undefined
        ? { vqvaeRun: raw.vqvaeRun }
        : {};
  return {
    format: CODES_MANIFEST_FORMAT,
    version: 1,
    numCategories: field('numCategories', numCategories, 1),
    height: field('height', raw.height, 1),
    width: field('width', raw.width, 1),
    numClasses: field('numClasses', raw.numClasses ?? 0, 0),
    splits: [...splits],
    source,
  };
}

/** Which split of a code-map folder to load, and how many of its maps. */
export interface LoadCodeMapsOptions {
  /** A split the manifest lists, e.g. `'train'`. */
  split: string;
  /** Keep only the first `limit` maps (default: all). */
  limit?: number;
}

/**
 * Loads one split of a folder written by {@link writeCodeMaps} (or `vaejs encode`) as a `CodeMapDataset` named
 * `'<folder>-<split>'`.
 * @throws DataError for a missing folder, manifest or split file, maps of another shape than the manifest's, or
 *   codes and labels out of range
 * @example const train = loadCodeMaps('codes', { split: 'train', limit: 10000 }); // x int32 [10000, 7, 7]
 */
export function loadCodeMaps(dir: string, options: LoadCodeMapsOptions): CodeMapDataset {
  const fn = 'loadCodeMaps';
  const manifest = readCodesManifest(dir);
  const { split, limit } = options ?? ({} as LoadCodeMapsOptions);
  if (!manifest.splits.includes(split)) {
    throw new DataError(
      formatExpected(fn, 'options.split', `one of ${manifest.splits.join(' | ')}`, describeValue(split)),
    );
  }
  if (limit !== undefined) assertPositiveInt(fn, 'options.limit', limit);
  const codes = readIdxFile(path.join(dir, `${split}-codes.idx`));
  const { height, width } = manifest;
  if (codes.shape.length !== 3 || codes.shape[1] !== height || codes.shape[2] !== width || codes.dtype !== 'int32') {
    throw new DataError(
      formatExpected(
        fn,
        `'${codes.source}'`,
        `int32 [n,${height},${width}] (${MANIFEST_FILE})`,
        `${codes.dtype} [${codes.shape.join(',')}]`,
      ),
    );
  }
  const labelsFile = path.join(dir, `${split}-labels.idx`);
  let labels: Int32Array | null = null;
  if (fs.existsSync(labelsFile)) {
    const read = readIdxFile(labelsFile);
    if (read.shape.length !== 1 || read.shape[0] !== codes.shape[0] || read.dtype.startsWith('float')) {
      throw new DataError(
        formatExpected(
          fn,
          `'${labelsFile}'`,
          `integer [${codes.shape[0]}] (one per map)`,
          `${read.dtype} [${read.shape.join(',')}]`,
        ),
      );
    }
    labels = Int32Array.from(read.data);
  }
  const folder = path.basename(path.resolve(dir));
  let dataset: CodeMapDataset;
  try {
    dataset = createCodeMapDataset({
      name: `${folder}-${split}`,
      codes: codes.data as Int32Array,
      height,
      width,
      numCategories: manifest.numCategories,
      labels,
      ...(labels && manifest.numClasses > 0 ? { numClasses: manifest.numClasses } : {}),
    });
  } catch (error) {
    if (!DataError.isInstance(error)) throw error;
    throw new DataError(
      `${fn}: '${codes.source}' (${MANIFEST_FILE}: numCategories ${manifest.numCategories}): ${error.message}`,
    );
  }
  return limit !== undefined && limit < dataset.size ? subsetCodeMaps(dataset, 0, limit, dataset.name) : dataset;
}

// helpers

/** Writes through a temporary file and a rename, so that a reader never sees half a file. */
function writeAtomically(file: string, data: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}
