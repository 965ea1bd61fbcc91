import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TINY_CONFIG } from './__fixtures__/tiny';
import { createPixelCnn } from './pixelcnn';
import { samplePreviews } from './sample-previews';
import { type CodeMapDecoder, createTwoStageSampler } from './two-stage-sampler';

/** A decoder that paints each code map as an image of its codes / K: [n, h, w, 1]. */
function fakeDecoder(codebookSize: number, height: number, width: number): CodeMapDecoder {
  return {
    config: { codebookSize },
    latentShape: [height, width, 3],
    decode: (maps) => tf.tidy(() => tf.div(tf.cast(tf.expandDims(maps, 3), 'float32'), codebookSize) as tf.Tensor4D),
  };
}

describe('samplePreviews', () => {
  it("draws the run seed's maps, decoded, as one picture; a conditional prior's labels cycle", async () => {
    const { numCategories, height, width } = TINY_CONFIG;
    for (const numClasses of [0, 3]) {
      const prior = createPixelCnn({ ...TINY_CONFIG, numClasses });
      const sampler = createTwoStageSampler(prior, fakeDecoder(numCategories, height, width));
      const before = tf.memory().numTensors;
      const previews = await samplePreviews(sampler, { count: 6, columns: 3 })(prior, null, { seed: 4 });
      const picture = previews.samples as { images: tf.Tensor4D; columns: number };
      expect(picture.columns).toBe(3);
      expect(picture.images.shape).toEqual([6, height, width, 1]);
      const labels = numClasses > 0 ? [0, 1, 2, 0, 1, 2] : undefined;
      const maps = await prior.sample(6, { seed: 4, ...(labels ? { labels } : {}) });
      const expected = tf.tidy(() => tf.div(tf.cast(tf.expandDims(maps, 3), 'float32'), numCategories));
      expect(Array.from(picture.images.dataSync())).toEqual(Array.from(expected.dataSync()));
      tf.dispose([picture.images, maps, expected]);
      expect(tf.memory().numTensors).toBe(before);
      prior.dispose();
    }
  });
});
