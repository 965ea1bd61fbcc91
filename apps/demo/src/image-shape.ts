import * as tf from '@tensorflow/tfjs-core';
import { DataError, formatExpected } from '@vaejs/core';
import { type TestSet, testImages } from './test-set';

/** An image shape `[height, width, channels]`, as a model's config gives it. */
export type ImageShape = readonly [number, number, number];

/**
 * Images resized to the shape a model takes: bilinear resampling to its height and width, grey copied to three
 * channels or colour averaged to one. The test images and the drawing pad are 28×28 grey; a model trained on
 * another size or on colour images reads them through this, so that every view runs any image model.
 * @param images float32 `[n, h, w, c]` in [0, 1] (not disposed)
 * @returns float32 `[n, shape[0], shape[1], shape[2]]` (caller disposes)
 * @throws DataError for a channel count other than 1 or 3 on either side, when they differ
 * @example fitImages(tf.zeros([2, 28, 28, 1]), [32, 32, 3]).shape // [2, 32, 32, 3]
 */
export function fitImages(images: tf.Tensor4D, shape: ImageShape): tf.Tensor4D {
  const [height, width, channels] = shape;
  const have = images.shape[3];
  if (have !== channels && !([1, 3].includes(have) && [1, 3].includes(channels))) {
    throw new DataError(formatExpected('fitImages', 'images', `1 or 3 channels to give ${channels}`, `${have}`));
  }
  return tf.tidy(() => {
    let fitted: tf.Tensor4D = images;
    if (images.shape[1] !== height || images.shape[2] !== width) {
      fitted = tf.clipByValue(tf.image.resizeBilinear(fitted, [height, width], true), 0, 1);
    }
    if (have === 1 && channels === 3) fitted = tf.tile(fitted, [1, 1, 1, 3]);
    if (have === 3 && channels === 1) fitted = tf.mean(fitted, 3, true);
    return fitted === images ? tf.clone(images) : fitted;
  });
}

/**
 * Test images as a model takes them (its config's image shape): see {@link fitImages}.
 * @returns float32 `[indices.length, ...shape]` in [0, 1] (caller disposes)
 */
export function modelInputs(set: TestSet, indices: readonly number[], shape: ImageShape): tf.Tensor4D {
  const images = testImages(set, indices);
  try {
    return fitImages(images, shape);
  } finally {
    images.dispose();
  }
}
