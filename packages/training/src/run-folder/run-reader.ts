/**
 * The one reader of run folders, over files and HTTP alike (a `RunSource`): a run's config, the checkpoint a folder
 * stands for, and the model in it, loaded by the loader of its kind. The model packages provide the loaders
 * (`vaeLoader`, `vqVaeLoader`, `pixelCnnLoader`), so that this package imports none of them.
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
  /** The model of a checkpoint, through the loader of its kind. */
  load(checkpoint: LocatedCheckpoint, options?: Pick<LocateOptions, 'fn'>): Promise<TrainableModel>;
  /** A new, untrained model of kind `kind` and config `config` (a checkpoint's): what `fit` resumes into. */
  create(kind: string, config: unknown, options?: Pick<LocateOptions, 'fn'>): TrainableModel;
}

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
  return {
    kinds,
    readConfig: async (source) => parseRunConfig(await source.readJson(RUN_CONFIG_FILE)),
    find,
    async locate(source, options = {}) {
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
    },
    load: (checkpoint, options = {}) =>
      loaderOf(checkpoint.kind, options.fn ?? FN).load(checkpoint.manifest, checkpoint.io),
    create: (kind, config, options = {}) => loaderOf(kind, options.fn ?? FN).create(config),
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
