/**
 * A run folder held as files in memory — a `Map` from paths inside the folder to bytes — for where there is no file
 * system: a browser's IndexedDB, a folder dropped on a page, a zip archive. The paths are checked once, here, as they
 * come in: relative, `/`-separated, with no empty, `.` or `..` segment, so that nothing read through them can leave
 * the folder. The layout inside is the run folder's (`run-format.ts`).
 */
import { CheckpointError, describeValue, formatExpected } from '@vaejs/core';
import { CHECKPOINT_INFO_FILE, CHECKPOINTS_DIR, LATEST_FILE, RUN_CONFIG_FILE } from '../run-format';

/** A run folder (or a checkpoint folder) as files: path inside the folder → bytes. */
export type RunFiles = Map<string, Uint8Array>;

const FN = 'checkpoint';

/** True for a path that stays inside its folder: `checkpoints/epoch-0001/encoder/model.json`. */
export function isRunPath(path: unknown): path is string {
  if (typeof path !== 'string' || path === '' || path.length > 1024) return false;
  if (path.startsWith('/') || /[\\\0:]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Checks a path of a run folder held as files.
 * @throws CheckpointError naming where the path came from (`'../x'`, `'/etc/passwd'`, `'C:\\x'` are refused)
 */
export function checkRunPath(path: unknown, where: string): string {
  if (!isRunPath(path)) {
    throw new CheckpointError(
      formatExpected(
        FN,
        `${where} path`,
        'a relative path inside the folder (no "..", no leading "/")',
        describeValue(path),
      ),
    );
  }
  return path;
}

/**
 * Files under their checked paths, from entries (a zip's, a dropped folder's `webkitRelativePath`s, an IndexedDB
 * record's). A folder that holds the run one level down (a zip of `vae/…`, a dropped folder `vae`) is opened there:
 * while no run or checkpoint file is at the top and every path starts with the same folder, that folder is the run.
 * @throws CheckpointError for a path that leaves the folder, or for two entries of one path
 */
export function runFilesOf(entries: Iterable<readonly [string, Uint8Array]>, where: string): RunFiles {
  let files: RunFiles = new Map();
  for (const [path, bytes] of entries) {
    checkRunPath(path, where);
    if (files.has(path)) {
      throw new CheckpointError(formatExpected(FN, where, 'one entry per path', `'${path}' twice`));
    }
    files.set(path, bytes);
  }
  for (;;) {
    const paths = [...files.keys()];
    const top = new Set(paths.map((path) => path.split('/')[0] as string));
    const only = top.size === 1 ? ([...top][0] as string) : null;
    const markers = [RUN_CONFIG_FILE, CHECKPOINT_INFO_FILE, CHECKPOINTS_DIR];
    if (only === null || markers.includes(only) || paths.some((path) => !path.includes('/'))) return files;
    files = new Map([...files].map(([path, bytes]) => [path.slice(only.length + 1), bytes]));
  }
}

/** The parsed JSON of `path`, or null when there is no such file; `shownAs` names the file in messages. */
export function readJsonFile(files: RunFiles, path: string, shownAs = path): unknown {
  const bytes = files.get(path);
  if (bytes === undefined) return null;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CheckpointError(formatExpected(FN, shownAs, 'readable JSON', (error as Error).message));
  }
}

/** UTF-8 bytes of a JSON value, for writing into files. */
export function jsonBytes(value: unknown, indent = 2): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, indent));
}

/** The `latest.json` path of a run folder held as files, under `prefix`. */
export function latestPath(prefix: string): string {
  return `${prefix}${CHECKPOINTS_DIR}/${LATEST_FILE}`;
}
