import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset';
import { type CodeMapEncoder, encodeCodeMaps } from './encode-code-maps';

/** An encoder whose code at each 2×2 block is its top-left pixel's grey level in [0, 4): [n, 2, 2] for 4×4 images. */
const encoder: CodeMapEncoder = {
  config: { codebookSize: 4 },
  latentShape: [2, 2, 1],
  encode: (images) =>
    tf.tidy(() => {
      const corners = tf.stridedSlice(images, [0, 0, 0, 0], [images.shape[0], 4, 4, 1], [1, 2, 2, 1]);
      return tf.cast(tf.minimum(tf.floor(tf.mul(tf.squeeze(corners, [3]), 4)), 3), 'int32') as tf.Tensor3D;
    }),
};

describe('encodeCodeMaps', () => {
  // five 4×4 images: image i has grey level 60·i at its top-left pixel, 255 at the pixel to its right
  const images = new Uint8Array(5 * 16);
  for (let i = 0; i < 5; i++) {
    images[16 * i] = 60 * i;
    images[16 * i + 1] = 255;
  }
  const dataset = createDataset({
    name: 'toy',
    images,
    imageShape: [4, 4, 1],
    labels: new Int32Array([0, 1, 2, 0, 1]),
  });

  it('encodes every image in order, batch by batch, keeping the labels', async () => {
    const maps = await encodeCodeMaps(dataset, encoder, { batchSize: 2 });
    expect([maps.name, maps.size, maps.height, maps.width, maps.numCategories, maps.numClasses]).toEqual([
      'toy-codes',
      5,
      2,
      2,
      4,
      3,
    ]);
    // grey levels 0, 60, 120, 180, 240 → codes floor(4 · g / 255): 0, 0, 1, 2, 3
    expect(Array.from({ length: 5 }, (_, i) => maps.codes[4 * i])).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(maps.labels ?? [])).toEqual([0, 1, 2, 0, 1]);
  });

  it('binarises first when asked, and leaks no tensor', async () => {
    await expectNoLeak(async () => {
      const maps = await encodeCodeMaps(dataset, encoder, { binarize: 'static', name: 'binary' });
      expect(maps.name).toBe('binary');
      expect(Array.from({ length: 5 }, (_, i) => maps.codes[4 * i])).toEqual([0, 0, 0, 3, 3]);
    });
  });
});
