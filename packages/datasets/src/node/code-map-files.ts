/**
 * A folder of code maps on disk (Node only): `<split>-codes.idx` (int32 IDX `[n, h, w]`), `<split>-labels.idx`
 * (uint8 IDX `[n]`, when labelled) and `codes.json`, the manifest. What `vaejs encode` writes and `vaejs prior train`
 * reads.
 */
// Default imports of node builtins (not named ones): see idx-file.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertPositiveInt, DataError, describeValue, formatExpected } from '@vaejs/core';
import { CODES_MANIFEST_FORMAT, type CodeMapDataset, createCodeMapDataset, subsetCodeMaps } from '../code-maps';
import { encodeIdx } from '../idx';
import { readIdxFile } from './idx-file';
import { interruptedReplacement, replaceFolder } from './replace-folder';

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
   * Where the codes came from, as the writer described it (e.g. `{ vqvaeRun, checkpoint }`: the VQ-VAE whose decoder
   * turns sampled maps into images, and its checkpoint that encoded them). Folders written before this field had
   * `vqvaeRun` at the top: read as `{ vqvaeRun }`.
   */
  source: Record<string, unknown>;
  /**
   * Each file of the folder as written (`train-codes.idx` → its bytes and SHA-256): a file of another encoding in the
   * folder is refused when read. Folders written before this field are read unchecked.
   */
  files?: Record<string, { bytes: number; sha256: string }>;
}

const MANIFEST_FILE = 'codes.json';

/**
 * Writes code-map splits as the folder `dir`, as a whole: `<split>-codes.idx`, `<split>-labels.idx` for labelled
 * splits, and `codes.json` (naming every file with its size and SHA-256) go into a temporary folder that then takes the
 * place of `dir` (see `replace-folder.ts`): a reader never sees codes of two encodings, nor half a file. `dir` must be
 * new, empty, or a folder of code maps (replaced whole).
 * @param splits e.g. `{ train, test }`: code maps of one height, width, numCategories and numClasses
 * @param source where the codes came from, stored as `source` in the manifest
 * @returns the manifest written
 * @throws DataError for no splits, splits that disagree, a bad split name, labels above 255 (uint8 files), or a `dir`
 *   that is a file or holds other files
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
  return replaceFolder(dir, { fn, argument: 'dir', owns: isCodesFile }, (folder) => {
    const files: NonNullable<CodesManifest['files']> = {};
    const write = (name: string, bytes: Uint8Array) => {
      fs.writeFileSync(path.join(folder, name), bytes);
      files[name] = { bytes: bytes.byteLength, sha256: digest(bytes) };
    };
    for (const [name, maps] of entries) {
      write(`${name}-codes.idx`, encodeIdx('int32', [maps.size, maps.height, maps.width], maps.codes));
      if (maps.labels) write(`${name}-labels.idx`, encodeIdx('uint8', [maps.size], maps.labels));
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
      files,
    };
    fs.writeFileSync(path.join(folder, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  });
}

/**
 * Reads and checks `<dir>/codes.json`, also as older folders wrote it (`codebookSize` for `numCategories`,
 * `vqvaeRun` for `source.vqvaeRun`).
 * @throws DataError for a missing folder or manifest, invalid JSON, another format or version, or bad fields
 * @example readCodesManifest('codes').splits; // ['train', 'test']
 */
export function readCodesManifest(dir: string): CodesManifest {
  const fn = 'readCodesManifest';
  if (!fs.existsSync(dir)) {
    const left = interruptedReplacement(dir, MANIFEST_FILE);
    const hint = left
      ? ` (a writer killed while replacing it left its new code maps in '${left}': rename that to '${dir}', or encode again)`
      : '';
    throw new DataError(formatExpected(fn, `folder '${dir}'`, 'to exist', `none${hint}`));
  }
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
    ...(raw.files !== undefined ? { files: checkFiles(fn, file, raw.files) } : {}),
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
  checkFile(fn, dir, manifest, `${split}-codes.idx`);
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
  if (fs.existsSync(labelsFile) || manifest.files?.[`${split}-labels.idx`]) {
    checkFile(fn, dir, manifest, `${split}-labels.idx`);
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

/** The files a folder of code maps holds: its manifest, and codes and labels of splits. */
function isCodesFile(name: string): boolean {
  return name === MANIFEST_FILE || /^[A-Za-z0-9_.-]+-(codes|labels)\.idx$/.test(name);
}

function digest(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function checkFiles(fn: string, file: string, files: unknown): NonNullable<CodesManifest['files']> {
  const valid =
    typeof files === 'object' &&
    files !== null &&
    Object.values(files).every(
      (entry: unknown) =>
        Number.isSafeInteger((entry as { bytes?: unknown })?.bytes) &&
        /^[\da-f]{64}$/.test(String((entry as { sha256?: unknown })?.sha256)),
    );
  if (!valid) {
    throw new DataError(formatExpected(fn, `'${file}' files`, 'an object of { bytes, sha256 }', describeValue(files)));
  }
  return files as NonNullable<CodesManifest['files']>;
}

/**
 * A file of the folder must be the one its manifest names (size and SHA-256), when the manifest names its files: a
 * file of another encoding (a folder mixed by hand, or by a writer of an earlier release killed midway) is refused.
 */
function checkFile(fn: string, dir: string, manifest: CodesManifest, name: string): void {
  const expected = manifest.files?.[name];
  if (!manifest.files) return;
  const file = path.join(dir, name);
  if (!expected) {
    throw new DataError(
      formatExpected(fn, `'${file}'`, `a file ${MANIFEST_FILE} names`, 'one it does not (encode the folder again)'),
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataError(formatExpected(fn, `file '${file}'`, 'to exist and be readable', code));
  }
  const actual = { bytes: bytes.byteLength, sha256: digest(bytes) };
  if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
    const show = (entry: { bytes: number; sha256: string }) =>
      `${entry.bytes.toLocaleString('en')} bytes, sha256 ${entry.sha256.slice(0, 12)}…`;
    throw new DataError(
      formatExpected(
        fn,
        `'${file}'`,
        `the file ${MANIFEST_FILE} names (${show(expected)})`,
        `another (${show(actual)}): the folder mixes two encodings; encode it again`,
      ),
    );
  }
}
