/**
 * The checks every loader runs before it reads any part: the manifest, the JSON a model's `save` returned (see
 * {@link ModelManifest}), read back from a run folder, a URL or memory, where anything may have happened to it; the
 * `io` that hands out the parts; and, for `restore`, that the manifest describes the model it restores into.
 */
import { describeValue } from './checks';
import { CheckpointError, formatExpected, VaejsError } from './errors';
import type { ModelManifest } from './trainable';

/** What a loader expects of a manifest: its kind, the version it reads, and the parts it loads. */
export interface ManifestExpectation<C = object> {
  /** `'vaejs-vae'`, `'vaejs-pixelcnn'`… */
  format: string;
  /** The one version the loader reads. */
  version: number;
  /** Every part the loader reads through `io`; the manifest may list more. */
  parts: readonly string[];
  /**
   * Validates `manifest.config` and returns it resolved (the package's `resolveXConfig`). A vaejs error it throws
   * becomes a CheckpointError naming `manifest.config`; other errors pass through. Default: any object.
   */
  resolveConfig?: (config: unknown) => C;
}

/** A manifest that passed {@link checkManifest}: the fields of {@link ModelManifest}, `config` resolved, and any others. */
export type CheckedManifest<C = object> = Omit<ModelManifest, 'config'> & { config: C } & Record<string, unknown>;

/**
 * Checks a manifest against what a loader reads, in this order: an object, `format`, `version`, `parts` (every
 * expected part listed), `config` (an object, then `resolveConfig`). Reads nothing else.
 * @param fn the loader's name, first word of every message
 * @param manifest the parsed JSON, of any type
 * @throws CheckpointError with the standard template, e.g.
 *   `loadVae: expected manifest.format 'vaejs-vae', got 'vaejs-vqvae'.`
 *   `loadVae: expected manifest.parts to include 'encoder', 'decoder', got ['encoder'].`
 * @example
 * const { config } = checkManifest('loadVae', json, {
 *   format: 'vaejs-vae', version: 1, parts: ['encoder', 'decoder'], resolveConfig: (c) => resolveVaeConfig(c as VaeConfig, 'loadVae'),
 * });
 */
export function checkManifest<C = object>(
  fn: string,
  manifest: unknown,
  expected: ManifestExpectation<C>,
): CheckedManifest<C> {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new CheckpointError(formatExpected(fn, 'manifest', 'an object', describeValue(manifest)));
  }
  const candidate = manifest as Record<string, unknown>;
  if (candidate.format !== expected.format) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.format', `'${expected.format}'`, describeValue(candidate.format)),
    );
  }
  if (candidate.version !== expected.version) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.version', String(expected.version), describeValue(candidate.version)),
    );
  }
  const parts = candidate.parts;
  const listed = Array.isArray(parts) && parts.every((part) => typeof part === 'string');
  if (!listed || !expected.parts.every((part) => (parts as string[]).includes(part))) {
    throw new CheckpointError(
      formatExpected(fn, 'manifest.parts', `to include ${quoteAll(expected.parts)}`, describeList(parts)),
    );
  }
  const config = candidate.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new CheckpointError(formatExpected(fn, 'manifest.config', 'an object', describeValue(config)));
  }
  let resolved: C;
  try {
    resolved = expected.resolveConfig ? expected.resolveConfig(config) : (config as C);
  } catch (error) {
    if (!VaejsError.isInstance(error)) throw error;
    const reason = error.message.replace(/\.$/, '');
    throw new CheckpointError(formatExpected(fn, 'manifest.config', 'a valid config', `one that fails: ${reason}`));
  }
  return {
    ...candidate,
    format: expected.format,
    version: expected.version,
    parts: [...(parts as string[])],
    config: resolved,
  };
}

/**
 * Checks the `io` a model's `save`, `restore` or loader was given: a function from a part's name to a tfjs IOHandler
 * (loaders also take a URL string per part: `returns` says which).
 * @throws CheckpointError, e.g. `vqvae.restore: expected io a function (part) => tf.io.IOHandler, got 'folder'.`
 * @example checkPartIO('loadVae', io, 'tf.io.IOHandler | string');
 */
export function checkPartIO(fn: string, io: unknown, returns = 'tf.io.IOHandler'): void {
  if (typeof io !== 'function') {
    throw new CheckpointError(formatExpected(fn, 'io', `a function (part) => ${returns}`, describeValue(io)));
  }
}

/**
 * Checks that a manifest's (resolved) config describes the same model as `modelConfig`, field by field and nested
 * objects depth first, so that its weights can be restored into that model. Top-level fields in `ignore` may differ
 * (the initialiser `seed`: it sets the starting weights, which a restore replaces). Values compare as JSON (configs
 * are plain JSON; arrays compare whole).
 * @throws CheckpointError naming the first differing field, e.g.
 *   `vae.restore: expected manifest.config.latentDim 2 (this model's config), got 3.` or
 *   `vqvae.restore: expected manifest.config.quantizer.ema true (this model's config), got false.`
 * @example assertSameConfig('vae.restore', manifest.config, vae.config, { ignore: ['seed'] });
 */
export function assertSameConfig(
  fn: string,
  manifestConfig: object,
  modelConfig: object,
  options: { ignore?: readonly string[] } = {},
): void {
  const difference = firstDifference(modelConfig, manifestConfig, 'manifest.config', new Set(options.ignore ?? []));
  if (difference) {
    throw new CheckpointError(
      formatExpected(fn, difference.path, `${difference.expected} (this model's config)`, difference.actual),
    );
  }
}

// helpers

/** The first field where two plain-JSON values differ (objects depth first, in key order), or null. */
function firstDifference(
  expected: unknown,
  actual: unknown,
  path: string,
  ignoredKeys: ReadonlySet<string>,
): { path: string; expected: string; actual: string } | null {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (ignoredKeys.has(key)) continue;
      const found = firstDifference(expected[key], actual[key], `${path}.${key}`, new Set());
      if (found) return found;
    }
    return null;
  }
  const render = (value: unknown) =>
    typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? 'undefined');
  const [expectedText, actualText] = [render(expected), render(actual)];
  return expectedText === actualText ? null : { path, expected: expectedText, actual: actualText };
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

/** `['encoder']` for a short list of strings, else what describeValue says. */
function describeList(value: unknown): string {
  if (Array.isArray(value) && value.length <= 8 && value.every((item) => typeof item === 'string')) {
    return `[${quoteAll(value)}]`;
  }
  return describeValue(value);
}
