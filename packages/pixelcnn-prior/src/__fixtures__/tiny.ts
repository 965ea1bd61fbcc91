import * as tf from '@tensorflow/tfjs-core';
import type { PixelCnnConfig } from '../config';

/** A network small enough for fast tests whose receptive field still covers every earlier position of a 5×6 map. */
export const TINY_CONFIG = Object.freeze({
  numCategories: 4,
  height: 5,
  width: 6,
  channels: 8,
  layers: 3,
  kernelSize: 5,
  embeddingDim: 8,
  headChannels: 16,
  seed: 3,
}) satisfies PixelCnnConfig;

/** A seeded map batch int32 [n, h, w] with values in [0, k). */
export function randomMaps(n: number, height: number, width: number, k: number, seed: number): tf.Tensor3D {
  return tf.tidy(
    () => tf.cast(tf.floor(tf.randomUniform([n, height, width], 0, k, 'float32', seed)), 'int32') as tf.Tensor3D,
  );
}

/** Maps whose every row repeats its first value, and whose first column is uniform over [0, k): int32 [n, h, w]. */
export function rowRepeatMaps(n: number, height: number, width: number, k: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => {
    const firstColumn = tf.cast(tf.floor(tf.randomUniform([n, height, 1], 0, k, 'float32', seed)), 'int32');
    return tf.tile(firstColumn, [1, 1, width]) as tf.Tensor3D;
  });
}
