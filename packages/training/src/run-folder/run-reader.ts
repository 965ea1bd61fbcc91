/**
 * The one reader of run folders, over files and HTTP alike (a `RunSource`): a run's config, the checkpoint a folder
 * stands for, and the model in it, loaded by the loader of its kind. The model packages provide the loaders
 * (`vaeLoader`, `vqVaeLoader`, `pixelCnnLoader`), so that this package imports none of them. Before a model is built,
 * its package's estimate of the checkpoint's config is checked against a memory limit when one is given; `open` reads
 * a checkpoint and its model as one, reading a run's new newest checkpoint when a writer removes the one being read.
 */
import {
  CheckpointError,
  ConfigError,
  describeValue,
  formatExpected,
  type ModelLoader,
  type ModelManifest,
  type PartIO,
  type TrainableModel,
  VaejsError,
} from '@vaejs/core';
import {
  type CheckpointInfo,
  checkModelManifest,
  manifestFileName,
  RUN_CONFIG_FILE,
  type RunConfig,
} from '../run-format';
import { parseRunConfig } from './run-config';
import type { RunSource } from './run-source';

/** A checkpoint a reader found, and the run it belongs to. */
export interface LocatedCheckpoint {
  /** The checkpoint folder (a path, or a URL ending in `/`). */
  location: string;
  /** The kind of model it holds: `'vae'`, `'vqvae'`, `'pixelcnn'`. */
  kind: string;
  /** Its `checkpoint.json`; null for a bare model folder, which has only the manifest and the parts. */
  info: CheckpointInfo | null;
  manifest: ModelManifest;
  io: PartIO;
  /** The run folder it belongs to (its `config.json`, metrics), or null for a checkpoint folder on its own. */
  run: RunSource | null;
}

/** Options of `find` and `locate`: what is wanted, and who asks (for messages). */
export interface LocateOptions {
  /** The kinds wanted; a checkpoint of another kind is refused. Default: any. */
  kinds?: readonly string[];
  /** The first word of messages. Default `'checkpoint'`. */
  fn?: string;
  /** What named the folder, for messages (`'--run'`). Default: the folder itself. */
  argument?: string;
}

/** A memory limit: a checkpoint whose model its package estimates above it is refused before anything is built. */
export interface MemoryLimit {
  /** Bytes a model and one step of `batchSize` items may take (`ModelLoader.estimate`'s `stepBytes`). */
  maxBytes: number;
  /** Items of the step counted. Default 1. */
  batchSize?: number;
  /** What sets the limit, in messages (`'--max-memory 64 MB'`). Default: `'memory.maxBytes'` and the MB. */
  argument?: string;
}

/** Options of `load`, `create` and `open`: who asks (for messages), and the memory limit. */
export interface LoadOptions {
  /** The first word of messages. Default `'checkpoint'`. */
  fn?: string;
  memory?: MemoryLimit;
  /** Where the config comes from, in messages (`create`; `load` names the checkpoint's manifest). */
  location?: string;
}

/** A checkpoint and the model in it, read as one (`RunReader.open`). The caller disposes the model. */
export interface OpenedCheckpoint {
  checkpoint: LocatedCheckpoint;
  model: TrainableModel;
}

/** What `createRunReader` returns. */
export interface RunReader {
  /** The kinds it loads, in the order of its loaders. */
  readonly kinds: readonly string[];
  /** The run's `config.json`, or null for a folder without one (or with one that is not a vaejs run's). */
  readConfig(source: RunSource): Promise<RunConfig | null>;
  /**
   * The checkpoint `source` stands for, or null when there is none: a checkpoint folder itself, the newest checkpoint
   * of a run folder, or a bare model folder (`<kind>.json` of a kind it loads, and a folder per part).
   * @throws CheckpointError for a checkpoint of a kind not in `options.kinds`, or files that do not read
   */
  find(source: RunSource, options?: LocateOptions): Promise<LocatedCheckpoint | null>;
  /** As `find`, but a folder that is not there, or holds no checkpoint, is a CheckpointError naming it. */
  locate(source: RunSource, options?: LocateOptions): Promise<LocatedCheckpoint>;
  /**
   * The model of a checkpoint, through the loader of its kind; with `options.memory`, its size is checked first.
   * @throws CheckpointError for a model estimated above the memory limit (before anything is built)
   */
  load(checkpoint: LocatedCheckpoint, options?: LoadOptions): Promise<TrainableModel>;
  /**
   * A new, untrained model of kind `kind` and config `config` (a checkpoint's): what `fit` resumes into; with
   * `options.memory`, its size is checked first.
   */
  create(kind: string, config: unknown, options?: LoadOptions): TrainableModel;
  /**
   * `locate`, then `load`, as one read: when `source` is a run and a writer removes its newest checkpoint while it is
   * read (a run training with `checkpointEvery`), the new newest is read instead, so that the model and the
   * checkpoint it is returned with always belong together.
   */
  open(source: RunSource, options?: LocateOptions & LoadOptions): Promise<OpenedCheckpoint>;
}

/** How often `open` reads a run again whose newest checkpoint was removed while it was read. */
const OPEN_ATTEMPTS = 8;

/**
 * A reader of run folders that loads the kinds of `loaders`.
 * @throws ConfigError for a loader without a kind, `load` and `create`, or two loaders of one kind
 * @example
 * const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
 * const checkpoint = await reader.locate(fileRunSource('runs/vae'), { kinds: ['vae'] });
 * const vae = (await reader.load(checkpoint)) as Vae;
 */
export function createRunReader(loaders: readonly ModelLoader[]): RunReader {
  const byKind = loaderMap(loaders);
  const kinds = [...byKind.keys()];
  const loaderOf = (kind: string, fn: string) => {
    const loader = byKind.get(kind);
    if (!loader)
      throw new CheckpointError(formatExpected(fn, 'checkpoint kind', `one of ${kinds.join(', ')}`, `'${kind}'`));
    return loader;
  };
  const find = async (source: RunSource, options: LocateOptions = {}) => {
    const found = (await checkpointOf(source)) ?? (await bareModelOf(source, kinds));
    if (found && options.kinds && !options.kinds.includes(found.kind)) {
      const wanted = options.kinds.join(' or ');
      const fn = options.fn ?? FN;
      throw new CheckpointError(`${fn}: expected a ${wanted} checkpoint, got a ${found.kind} one (${found.location}).`);
    }
    return found;
  };
  const locate = async (source: RunSource, options: LocateOptions = {}) => {
    const fn = options.fn ?? FN;
    if (!(await source.exists()))
      throw nothingThere(fn, options.argument, source, 'a run folder or a checkpoint folder', 'no such folder');
    const found = await find(source, options);
    if (!found)
      throw nothingThere(
        fn,
        options.argument,
        source,
        'a run folder with a checkpoint or a checkpoint folder',
        'neither',
      );
    return found;
  };
  const load = async (checkpoint: LocatedCheckpoint, options: LoadOptions = {}) => {
    const fn = options.fn ?? FN;
    const loader = loaderOf(checkpoint.kind, fn);
    const where = `${checkpoint.location}${checkpoint.location.endsWith('/') ? '' : '/'}${manifestFileName(checkpoint.kind)}`;
    checkMemory(fn, loader, checkpoint.manifest.config, where, options.memory);
    return loader.load(checkpoint.manifest, checkpoint.io);
  };
  return {
    kinds,
    readConfig: async (source) => parseRunConfig(await source.readJson(RUN_CONFIG_FILE)),
    find,
    locate,
    load,
    create(kind, config, options = {}) {
      const fn = options.fn ?? FN;
      const loader = loaderOf(kind, fn);
      checkMemory(fn, loader, config, options.location ?? `the ${kind} config`, options.memory);
      return loader.create(config);
    },
    async open(source, options = {}) {
      for (let attempt = 1; ; attempt++) {
        let checkpoint: LocatedCheckpoint | null = null;
        try {
          checkpoint = await locate(source, options);
          return { checkpoint, model: await load(checkpoint, options) };
        } catch (error) {
          if (attempt >= OPEN_ATTEMPTS || !(await movedOn(source, checkpoint))) throw error;
        }
      }
    },
  };
}

// helpers

const FN = 'checkpoint';

function loaderMap(loaders: readonly ModelLoader[]): Map<string, ModelLoader> {
  const byKind = new Map<string, ModelLoader>();
  loaders.forEach((loader, index) => {
    const fields = loader as Partial<ModelLoader> | null;
    if (typeof fields?.kind !== 'string' || typeof fields.load !== 'function' || typeof fields.create !== 'function') {
      const expected = 'a ModelLoader { kind, load, create } (vaeLoader, vqVaeLoader, pixelCnnLoader)';
      throw new ConfigError(formatExpected('createRunReader', `loaders[${index}]`, expected, describeValue(loader)));
    }
    if (byKind.has(fields.kind)) {
      throw new ConfigError(
        formatExpected('createRunReader', `loaders[${index}]`, 'one loader per kind', `a second '${fields.kind}'`),
      );
    }
    byKind.set(fields.kind, loader);
  });
  return byKind;
}

/** The checkpoint folder `source` is, or the newest of the run it is; with the run each belongs to. */
async function checkpointOf(source: RunSource): Promise<LocatedCheckpoint | null> {
  const here = await source.checkpoint();
  const found = here ?? (await source.latestCheckpoint());
  if (!found) return null;
  const run = here ? await runWithConfig(source.parentRun()) : source;
  return {
    location: found.location,
    kind: found.info.kind,
    info: found.info,
    manifest: found.manifest,
    io: found.io,
    run,
  };
}

/** A folder with a model manifest of a known kind and a folder per part, but no checkpoint.json. */
async function bareModelOf(source: RunSource, kinds: readonly string[]): Promise<LocatedCheckpoint | null> {
  for (const kind of kinds) {
    const manifest = await source.readJson(manifestFileName(kind));
    if (manifest === null) continue;
    const where = `${source.location}${source.location.endsWith('/') ? '' : '/'}${manifestFileName(kind)}`;
    return {
      location: source.location,
      kind,
      info: null,
      manifest: checkModelManifest(manifest, where),
      io: source.io,
      run: null,
    };
  }
  return null;
}

/**
 * True when `source` is a run whose newest checkpoint is no longer `failed` (null: the reading failed before one was
 * found): a writer rotated its checkpoints while they were read, and reading again reads the new newest.
 */
async function movedOn(source: RunSource, failed: LocatedCheckpoint | null): Promise<boolean> {
  try {
    if ((await source.checkpoint()) !== null) return false; // a checkpoint folder itself: nothing newer to read
    const newest = await source.latestCheckpoint();
    return newest !== null && (failed === null || newest.location !== failed.location);
  } catch {
    return false;
  }
}

/** Refuses a model that its package estimates above the memory limit, before anything is built. */
function checkMemory(fn: string, loader: ModelLoader, config: unknown, where: string, memory?: MemoryLimit): void {
  if (!memory || !loader.estimate) return;
  let size: ReturnType<NonNullable<ModelLoader['estimate']>>;
  try {
    size = loader.estimate(config, memory.batchSize ?? 1);
  } catch (error) {
    if (!VaejsError.isInstance(error)) throw error;
    throw new CheckpointError(
      formatExpected(fn, `${where} config`, 'a valid config', `one that fails: ${error.message}`),
    );
  }
  if (size.stepBytes <= memory.maxBytes) return;
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');
  const limit = memory.argument ?? `memory.maxBytes ${mb(memory.maxBytes)} MB`;
  throw new CheckpointError(
    formatExpected(
      fn,
      `${where} config`,
      `a model and step within ${limit}`,
      `about ${mb(size.stepBytes)} MB (${size.parameters.toLocaleString('en')} parameters)`,
    ),
  );
}

/** `run` when it has a config.json (a run folder), else null. */
async function runWithConfig(run: RunSource | null): Promise<RunSource | null> {
  if (!run) return null;
  try {
    return (await run.readJson(RUN_CONFIG_FILE)) === null ? null : run;
  } catch {
    return run; // a config.json that does not read is still a run's
  }
}

/** A folder that is not there, or holds no checkpoint: named as the caller's argument, or as itself. */
function nothingThere(fn: string, argument: string | undefined, source: RunSource, expected: string, got: string) {
  const actual = got === 'neither' ? `'${source.location}' with neither` : `'${source.location}' (${got})`;
  return new CheckpointError(
    argument ? formatExpected(fn, argument, expected, actual) : formatExpected(fn, source.location, expected, got),
  );
}
