/**
 * Run folders kept in a browser's IndexedDB, one record per run: the whole folder (config, metrics, checkpoints) as
 * files, replaced in one transaction each time `fit` completes a checkpoint — so a page reloaded at any moment finds
 * the last complete checkpoint, never half of one. Works in pages and Web Workers. Records are checked when read
 * (their shape, every path inside the folder), and their checkpoints by the run reader's usual checks.
 */
import { CheckpointError, describeValue, formatExpected } from '@vaejs/core';
import type { RunSource } from '../run-folder/run-source';
import type { RunStore } from '../run-folder/store';
import { filesRunSource } from './files-source';
import { type OpenFilesRunOptions, openFilesRun } from './files-store';
import { type RunFiles, runFilesOf } from './run-files';

/** The database and object store runs are kept in, by default. */
export const RUNS_DATABASE = 'vaejs-runs';
const STORE = 'runs';
const RECORD_FORMAT = 'vaejs-run-files';

/** Where runs are kept: the database's name, and the IndexedDB to use (default the global `indexedDB`). */
export interface IndexedDbOptions {
  database?: string;
  indexedDB?: IDBFactory;
}

/** The runs kept in one IndexedDB database, by name. */
export interface IndexedDbRuns {
  /** Names of the runs kept, sorted. */
  names(): Promise<string[]>;
  /**
   * A run's files, or null when none is kept under `name`.
   * @throws CheckpointError for a record that is not a run folder's (damaged, or written by something else)
   */
  read(name: string): Promise<RunFiles | null>;
  /** Replaces the run `name` with `files`, in one transaction. */
  write(name: string, files: RunFiles): Promise<void>;
  remove(name: string): Promise<void>;
}

/**
 * The runs kept in the IndexedDB database `options.database` (default `'vaejs-runs'`).
 * @example
 * const runs = indexedDbRuns();
 * await runs.names(); // ['vae-mlp', 'vqvae']
 */
export function indexedDbRuns(options: IndexedDbOptions = {}): IndexedDbRuns {
  const database = options.database ?? RUNS_DATABASE;
  const factory = () => {
    const found = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!found)
      throw new CheckpointError(formatExpected('indexedDbRuns', 'indexedDB', 'a browser with IndexedDB', 'none here'));
    return found;
  };
  const transact = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | null) => {
    const db = await openDatabase(factory(), database);
    try {
      return await new Promise<T | undefined>((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(request?.result);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
      });
    } finally {
      db.close();
    }
  };
  return {
    async names() {
      const keys = (await transact('readonly', (store) => store.getAllKeys())) ?? [];
      return keys.map(String).sort();
    },
    async read(name) {
      const record = await transact('readonly', (store) => store.get(name));
      return record === undefined ? null : filesOfRecord(record, name);
    },
    async write(name, files) {
      const record = { format: RECORD_FORMAT, version: 1, savedAt: new Date().toISOString(), files: [...files] };
      await transact('readwrite', (store) => store.put(record, name));
    },
    async remove(name) {
      await transact('readwrite', (store) => store.delete(name));
    },
  };
}

/**
 * Opens the run `name` kept in IndexedDB for `fit`'s `store` option: `resume: false` starts a new run (what is kept
 * stays until the new run's first checkpoint replaces it), `true` or `'auto'` continue the kept one. Every completed
 * checkpoint replaces the record, in one transaction; `guard` may refuse one (see `openFilesRun`).
 * @throws CheckpointError for a kept record that does not read, or `resume: true` with none
 * @example
 * const store = await openIndexedDbRun('vae-mlp', { resume: 'auto' });
 * await fit(vae, data, { epochs: 3, store }); // a reload that calls this again continues where it stopped
 */
export async function openIndexedDbRun(
  name: string,
  options: IndexedDbOptions & Pick<OpenFilesRunOptions, 'resume' | 'guard'>,
): Promise<RunStore> {
  const runs = indexedDbRuns(options);
  const files = options.resume === false ? new Map() : ((await runs.read(name)) ?? new Map());
  return openFilesRun(files, {
    resume: options.resume,
    location: indexedDbLocation(name),
    persist: (next) => runs.write(name, next),
    ...(options.guard ? { guard: options.guard } : {}),
  });
}

/**
 * The run `name` kept in IndexedDB, for `createRunReader` (read when first asked; `exists()` is false when none is
 * kept).
 * @example const checkpoint = await reader.locate(indexedDbRunSource('vqvae'), { kinds: ['vqvae'] });
 */
export function indexedDbRunSource(name: string, options: IndexedDbOptions = {}): RunSource {
  const runs = indexedDbRuns(options);
  let files: Promise<RunFiles | null> | null = null;
  const read = () => {
    files ??= runs.read(name);
    return files;
  };
  const source = (found: RunFiles | null) => filesRunSource(found ?? new Map(), indexedDbLocation(name));
  return {
    location: indexedDbLocation(name),
    exists: async () => (await read()) !== null,
    readJson: async (path) => source(await read()).readJson(path),
    checkpoint: async () => source(await read()).checkpoint(),
    latestCheckpoint: async () => source(await read()).latestCheckpoint(),
    io: (part) => ({
      load: async () => {
        const handler = source(await read()).io(part);
        return (handler.load as NonNullable<typeof handler.load>)();
      },
    }),
    parentRun: () => null,
  };
}

/** How messages name a run kept in IndexedDB: `indexeddb:vae-mlp/`. */
export function indexedDbLocation(name: string): string {
  return `indexeddb:${name}/`;
}

// helpers

function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`IndexedDB '${name}' is blocked by another tab`));
  });
}

function filesOfRecord(record: unknown, name: string): RunFiles {
  const where = indexedDbLocation(name);
  const candidate = record as { format?: unknown; files?: unknown } | null;
  const entries = candidate?.files;
  const sound =
    candidate?.format === RECORD_FORMAT &&
    Array.isArray(entries) &&
    entries.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && entry[1] instanceof Uint8Array);
  if (!sound) {
    throw new CheckpointError(
      formatExpected('checkpoint', where, `a record of ${RECORD_FORMAT} (path, bytes) pairs`, describeValue(record)),
    );
  }
  return runFilesOf(entries as [string, Uint8Array][], where);
}
