/**
 * Restores the weights a tfjs LayersModel saved (`model.save(handler)`) into an existing model of the same
 * architecture, without building a new one: what a model's `restore` does to resume training in place, and what a
 * loader does after building the model its checked config describes — a stored topology is compared with the model's,
 * never built (a `units: 1e6` in a `model.json` would allocate gigabytes before any check). Core does not import
 * tfjs-layers: the model is typed by the members used, which `tf.LayersModel` has.
 *
 * Two steps, so that a model of several parts can read and check every part before it changes any
 * ({@link decodeLayersWeights}, then {@link applyLayersWeights}); {@link restoreLayersWeights} does both for one part.
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from './checks';
import { CheckpointError, formatExpected } from './errors';

/** What {@link restoreLayersWeights} needs of a model: `tf.LayersModel` fits. */
export interface WeightsTarget {
  /** Sets every weight from a map keyed by the weights' original names (tfjs-layers' `LayersModel.loadWeights`). */
  loadWeights(weights: tf.NamedTensorMap, strict?: boolean): void;
  /** When present, shapes are compared before any weight is set, so that a mismatch changes nothing. */
  readonly weights?: readonly { readonly originalName: string; readonly shape: readonly (number | null)[] }[];
  /**
   * When present, the model's topology (`toJSON(null, false)`), compared layer by layer with the one stored beside the
   * weights: a stored layer of another class or size is refused, naming it.
   */
  toJSON?(unused?: null, returnString?: boolean): unknown;
}

/** One part's weights, read and checked, not yet set: keyed by the target model's own weight names. */
export interface DecodedLayersWeights {
  /** The part's name in messages. */
  part: string;
  model: WeightsTarget;
  /** Owned until {@link applyLayersWeights} or {@link disposeLayersWeights} frees them. */
  weights: tf.NamedTensorMap;
}

/** Options of {@link decodeLayersWeights}. */
export interface DecodeLayersWeightsOptions {
  /**
   * Weights saved under other layer names (a model built before its layers had fixed names: `conv2d_Conv2D3/kernel`)
   * are matched to the model's weights by position, when there are as many, each shape and short name (`kernel`)
   * checked. Default false: names must match.
   */
  byPosition?: boolean;
}

/**
 * Loads the artifacts of one part through `handler` and decodes its weights for `model`, checking every shape
 * against the model's; sets nothing. The caller passes the result to {@link applyLayersWeights} (or frees it with
 * {@link disposeLayersWeights}).
 * @param fn the public function's name, first word of every message (`'vqvae.restore'`)
 * @param part the part's name in messages (`'encoder'`)
 * @throws CheckpointError naming the part, e.g.
 *   `vae.restore: expected part 'decoder' weights that fit the model, got weight 'dec_output/kernel' of shape [4,16] for [4,12].`
 */
export async function decodeLayersWeights(
  fn: string,
  part: string,
  model: WeightsTarget,
  handler: tf.io.IOHandler,
  options: DecodeLayersWeightsOptions = {},
): Promise<DecodedLayersWeights> {
  const argument = `part '${part}'`;
  const artifacts = await loadArtifacts(fn, argument, handler);
  let decoded: tf.NamedTensorMap;
  try {
    decoded = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  } catch (error) {
    throw new CheckpointError(formatExpected(fn, argument, 'decodable weights', `an error: ${reason(error)}`));
  }
  try {
    const weights = options.byPosition ? matchByPosition(fn, argument, model, artifacts.weightSpecs, decoded) : decoded;
    checkShapes(fn, argument, model, weights);
    if (model.toJSON && artifacts.modelTopology) {
      checkTopology(fn, argument, artifacts.modelTopology, model.toJSON(null, false));
    }
    return { part, model, weights };
  } catch (error) {
    tf.dispose(Object.values(decoded));
    throw error;
  }
}

/**
 * Sets decoded weights into their models (strict: every weight of the model, and no other) and frees the decoded
 * tensors. The values are copied bit for bit.
 * @throws CheckpointError naming the part whose weights do not fit (after freeing every decoded tensor)
 */
export function applyLayersWeights(fn: string, decoded: readonly DecodedLayersWeights[]): void {
  try {
    for (const { part, model, weights } of decoded) {
      try {
        model.loadWeights(weights, true);
      } catch (error) {
        throw new CheckpointError(
          formatExpected(fn, `part '${part}'`, 'weights that fit the model', `an error: ${reason(error)}`),
        );
      }
    }
  } finally {
    disposeLayersWeights(decoded);
  }
}

/** Frees decoded weights that will not be set. */
export function disposeLayersWeights(decoded: readonly DecodedLayersWeights[]): void {
  for (const { weights } of decoded) tf.dispose(Object.values(weights));
}

/**
 * Loads the artifacts of one part through `handler`, decodes its weights and sets them into `model` (strict: every
 * weight of the model, and no other, must be in the checkpoint). The values are copied bit for bit; the decoded
 * tensors are disposed.
 * @param fn the public function's name, first word of every message (`'vae.restore'`)
 * @param part the part's name in messages (`'encoder'`)
 * @throws CheckpointError naming the part, e.g.
 *   `vae.restore: expected part 'decoder' weights that fit the model, got weight 'dec_output/kernel' of shape [4,16] for [4,12].`
 * @example await restoreLayersWeights('vae.restore', 'encoder', vae.encoder, tf.io.fromMemory(artifacts));
 */
export async function restoreLayersWeights(
  fn: string,
  part: string,
  model: WeightsTarget,
  handler: tf.io.IOHandler,
): Promise<void> {
  applyLayersWeights(fn, [await decodeLayersWeights(fn, part, model, handler)]);
}

/**
 * The IOHandler of a part given as a handler or as a URL, resolved as `tf.loadLayersModel` resolves one (a registered
 * scheme, else HTTP): what loaders that build a model from its config and restore its weights read parts through.
 * @throws CheckpointError when more than one registered handler claims the URL
 * @example const handler = partHandler('loadVae', 'models/vae/encoder/model.json');
 */
export function partHandler(fn: string, source: tf.io.IOHandler | string): tf.io.IOHandler {
  if (typeof source !== 'string') return source;
  const handlers = tf.io.getLoadHandlers(source);
  if (handlers.length > 1) {
    throw new CheckpointError(formatExpected(fn, 'io URL', 'one matching IOHandler', `${handlers.length}`));
  }
  return handlers[0] ?? tf.io.browserHTTPRequest(source);
}

// helpers

async function loadArtifacts(
  fn: string,
  argument: string,
  handler: tf.io.IOHandler,
): Promise<tf.io.ModelArtifacts & Required<Pick<tf.io.ModelArtifacts, 'weightSpecs' | 'weightData'>>> {
  if (typeof handler?.load !== 'function') {
    throw new CheckpointError(formatExpected(fn, argument, 'an IOHandler with a load method', describe(handler)));
  }
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (error) {
    throw new CheckpointError(formatExpected(fn, argument, 'readable weights', `an error: ${reason(error)}`));
  }
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined) {
    throw new CheckpointError(formatExpected(fn, argument, 'weights (weightSpecs and weightData)', 'none'));
  }
  return artifacts as tf.io.ModelArtifacts & Required<Pick<tf.io.ModelArtifacts, 'weightSpecs' | 'weightData'>>;
}

/** `decoded` keyed by the model's names: as saved when every name is there, else the saved weights in order. */
function matchByPosition(
  fn: string,
  argument: string,
  model: WeightsTarget,
  specs: readonly tf.io.WeightsManifestEntry[],
  decoded: tf.NamedTensorMap,
): tf.NamedTensorMap {
  const targets = model.weights ?? [];
  const named = targets.every((weight) => {
    const tensor = decoded[weight.originalName];
    return tensor !== undefined && sameShape(weight.shape, tensor.shape);
  });
  if (named && specs.length === targets.length) return decoded;
  if (specs.length !== targets.length) {
    throw new CheckpointError(
      formatExpected(fn, argument, `${targets.length} weights (this model's)`, `${specs.length}`),
    );
  }
  const shortName = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  const map: tf.NamedTensorMap = {};
  targets.forEach((weight, i) => {
    const spec = specs[i] as tf.io.WeightsManifestEntry;
    const tensor = decoded[spec.name] as tf.Tensor;
    if (!sameShape(weight.shape, tensor.shape) || shortName(spec.name) !== shortName(weight.originalName)) {
      throw new CheckpointError(
        formatExpected(
          fn,
          `${argument} weight ${i}`,
          `'${shortName(weight.originalName)}' ${formatShape(weight.shape)} (this model's)`,
          `'${spec.name}' ${formatShape(tensor.shape)}`,
        ),
      );
    }
    map[weight.originalName] = tensor;
  });
  return map;
}

function checkShapes(fn: string, argument: string, model: WeightsTarget, weights: tf.NamedTensorMap): void {
  for (const weight of model.weights ?? []) {
    const saved = weights[weight.originalName];
    if (!saved) continue; // loadWeights names the missing weights
    if (!sameShape(weight.shape, saved.shape)) {
      throw new CheckpointError(
        formatExpected(
          fn,
          argument,
          'weights that fit the model',
          `weight '${weight.originalName}' of shape ${formatShape(saved.shape)} for ${formatShape(weight.shape)}`,
        ),
      );
    }
  }
}

/** The fields of a layer's config that decide its weights and what it computes. */
const TOPOLOGY_FIELDS = [
  'units',
  'filters',
  'kernel_size',
  'strides',
  'dilation_rate',
  'padding',
  'batch_input_shape',
  'target_shape',
  'input_dim',
  'output_dim',
  'activation',
  'use_bias',
  'mask_type',
] as const;

/**
 * The stored topology must be the model's: as many layers, each of the same class with the same sizes (names aside:
 * checkpoints of earlier releases named layers otherwise).
 */
function checkTopology(fn: string, argument: string, stored: unknown, built: unknown): void {
  const layersOf = (topology: unknown) =>
    (topology as { config?: { layers?: unknown } } | null)?.config?.layers as
      | { class_name?: unknown; name?: unknown; config?: Record<string, unknown> }[]
      | undefined;
  const mine = layersOf(built) ?? [];
  const theirs = layersOf(stored);
  const what = `${argument} topology`;
  if (!Array.isArray(theirs) || theirs.length !== mine.length) {
    const count = Array.isArray(theirs) ? `${theirs.length} layers` : 'no list of layers';
    throw new CheckpointError(formatExpected(fn, what, `${mine.length} layers (the model's)`, count));
  }
  mine.forEach((layer, index) => {
    const other = theirs[index];
    const name = `layer ${index} (${String(layer.name)})`;
    if (other?.class_name !== layer.class_name) {
      throw new CheckpointError(
        formatExpected(fn, `${what} ${name}`, `a ${String(layer.class_name)}`, `a ${String(other?.class_name)}`),
      );
    }
    for (const field of TOPOLOGY_FIELDS) {
      const expected = JSON.stringify(layer.config?.[field]);
      const actual = JSON.stringify(other?.config?.[field]);
      if (expected !== actual) {
        throw new CheckpointError(
          formatExpected(fn, `${what} ${name} ${field}`, `${expected} (the model's)`, `${actual}`),
        );
      }
    }
  });
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? 'an object without load' : typeof value;
}
