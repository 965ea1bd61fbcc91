// Restoring a tfjs LayersModel's weights in place from saved artifacts: tf.io artifacts → tf.io.decodeWeights →
// layersModel.loadWeights(map, true). To be replaced by the shared helper @vaejs/core is gaining for this.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError, formatExpected, formatShape } from '@vaejs/core';

/** Weights decoded for one model, keyed by that model's own weight names, ready for `loadWeights`. */
export interface DecodedWeights {
  /** The model to write into. */
  model: tfl.LayersModel;
  /** Tensors keyed by `weight.originalName` of `model`'s weights (the caller disposes them after loading). */
  weights: tf.NamedTensorMap;
}

/**
 * Loads the artifacts `handler` holds and decodes their weights for `model`, matched by name; weights saved under
 * other layer names (a model built before its layers had fixed names) are matched by position, each shape and
 * weight name (`kernel`, `bias`, `codebook`, …) checked. Writes nothing yet: {@link applyDecodedWeights} does.
 * @throws CheckpointError naming `part` for an unreadable part, missing weight data, or weights that do not fit
 */
export async function decodeModelWeights(
  fn: string,
  part: string,
  model: tfl.LayersModel,
  handler: tf.io.IOHandler,
): Promise<DecodedWeights> {
  let artifacts: tf.io.ModelArtifacts;
  try {
    if (typeof handler?.load !== 'function') throw new Error('its IOHandler has no load()');
    artifacts = await handler.load();
  } catch (error) {
    throw new CheckpointError(`${fn}: could not load part '${part}': ${(error as Error).message}`);
  }
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined) {
    throw new CheckpointError(`${fn}: could not load part '${part}': it holds no weights (weightSpecs, weightData).`);
  }
  let decoded: tf.NamedTensorMap;
  try {
    decoded = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  } catch (error) {
    throw new CheckpointError(`${fn}: could not load part '${part}': ${(error as Error).message}`);
  }
  try {
    return { model, weights: matchWeights(fn, part, model, artifacts.weightSpecs, decoded) };
  } catch (error) {
    tf.dispose(Object.values(decoded));
    throw error;
  }
}

/** Writes decoded weights into their models (`loadWeights(map, true)`) and disposes the decoded tensors. */
export function applyDecodedWeights(decoded: readonly DecodedWeights[]): void {
  try {
    for (const { model, weights } of decoded) model.loadWeights(weights, true);
  } finally {
    disposeDecodedWeights(decoded);
  }
}

/** Frees decoded weights that will not be applied. */
export function disposeDecodedWeights(decoded: readonly DecodedWeights[]): void {
  for (const { weights } of decoded) tf.dispose(Object.values(weights));
}

// helpers

function matchWeights(
  fn: string,
  part: string,
  model: tfl.LayersModel,
  specs: tf.io.WeightsManifestEntry[],
  decoded: tf.NamedTensorMap,
): tf.NamedTensorMap {
  const targets = model.weights;
  const sameShape = (a: readonly (number | null)[], b: readonly number[]) =>
    a.length === b.length && a.every((size, i) => size === b[i]);
  const byName = targets.every((weight) => {
    const tensor = decoded[weight.originalName];
    return tensor !== undefined && sameShape(weight.shape, tensor.shape);
  });
  if (byName && specs.length === targets.length) return decoded;
  if (specs.length !== targets.length) {
    throw new CheckpointError(
      formatExpected(fn, `part '${part}'`, `${targets.length} weights (this model's)`, `${specs.length}`),
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
          `part '${part}' weight ${i}`,
          `'${shortName(weight.originalName)}' ${formatShape(weight.shape)} (this model's)`,
          `'${spec.name}' ${formatShape(tensor.shape)}`,
        ),
      );
    }
    map[weight.originalName] = tensor;
  });
  return map;
}
