import * as tf from '@tensorflow/tfjs-core';

/** Deterministic images float32 `[n, h, w, c]` in [0, 1] (binary with `binary: true`). */
export function fixtureImages(
  n: number,
  shape: readonly [number, number, number],
  seed = 1,
  binary = false,
): tf.Tensor4D {
  return tf.tidy(() => {
    const uniform = tf.randomUniform([n, ...shape], 0, 1, 'float32', seed);
    return (binary ? tf.cast(tf.greater(uniform, 0.5), 'float32') : uniform) as tf.Tensor4D;
  });
}
