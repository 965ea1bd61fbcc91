/**
 * Restores the weights a tfjs LayersModel saved (`model.save(handler)`) into an existing model of the same
 * architecture, without building a new one: what a model's `restore` does to resume training in place. Core does not
 * import tfjs-layers: the model is typed by the two members used, which `tf.LayersModel` has.
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
  const argument = `part '${part}'`;
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
  let weights: tf.NamedTensorMap;
  try {
    weights = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  } catch (error) {
    throw new CheckpointError(formatExpected(fn, argument, 'decodable weights', `an error: ${reason(error)}`));
  }
  try {
    checkShapes(fn, argument, model, weights);
    try {
      model.loadWeights(weights, true);
    } catch (error) {
      throw new CheckpointError(
        formatExpected(fn, argument, 'weights that fit the model', `an error: ${reason(error)}`),
      );
    }
  } finally {
    tf.dispose(Object.values(weights));
  }
}

// helpers

function checkShapes(fn: string, argument: string, model: WeightsTarget, weights: tf.NamedTensorMap): void {
  for (const weight of model.weights ?? []) {
    const saved = weights[weight.originalName];
    if (!saved) continue; // loadWeights names the missing weights
    const same = saved.rank === weight.shape.length && saved.shape.every((d, axis) => d === weight.shape[axis]);
    if (!same) {
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

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? 'an object without load' : typeof value;
}
