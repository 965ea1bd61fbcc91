import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { TINY_CONFIG } from './__fixtures__/tiny';
import { createPixelCnn } from './pixelcnn';
import { type CodeMapDecoder, createTwoStageSampler } from './two-stage-sampler';

/** A decoder that paints each code map as an image of its codes / K, twice as large: [n, 2h, 2w, 1]. */
function fakeDecoder(codebookSize: number, height: number, width: number): CodeMapDecoder {
  return {
    config: { codebookSize },
    latentShape: [height, width, 3],
    decode: (maps) =>
      tf.tidy(() => {
        const values = tf.div(tf.cast(tf.expandDims(maps, 3), 'float32'), codebookSize) as tf.Tensor4D;
        return tf.image.resizeNearestNeighbor(values, [2 * height, 2 * width]);
      }),
  };
}

describe('createTwoStageSampler', () => {
  const prior = createPixelCnn(TINY_CONFIG);
  const { numCategories, height, width } = TINY_CONFIG;

  it("draws the prior's own maps for a seed and decodes them", async () => {
    const sampler = createTwoStageSampler(prior, fakeDecoder(numCategories, height, width));
    expect(sampler.mismatch).toBeNull();
    const { maps, images } = await sampler.sample(3, { seed: 5, temperature: 0.5 });
    const alone = await prior.sample(3, { seed: 5, temperature: 0.5 });
    expect(Array.from(maps.dataSync())).toEqual(Array.from(alone.dataSync()));
    expect(images.shape).toEqual([3, 2 * height, 2 * width, 1]);
    // the top-left pixel of image 0 is its first code / K
    expect(images.dataSync()[0]).toBeCloseTo((maps.dataSync()[0] as number) / numCategories, 6);
    tf.dispose([maps, images, alone]);
  });

  it('hands onPosition the maps so far and a decode of them, and leaks nothing', async () => {
    const sampler = createTwoStageSampler(prior, fakeDecoder(numCategories, height, width));
    const decodedFirst: number[] = [];
    await expectNoLeak(() =>
      sampler.sample(2, {
        seed: 1,
        onPosition: (row, col, partial, decode) => {
          if (row > 0 || col > 1) return;
          const images = decode();
          decodedFirst.push(images.dataSync()[0] as number);
          expect(images.shape).toEqual([2, 2 * height, 2 * width, 1]);
          expect(partial[0]).toBe(Math.round((images.dataSync()[0] as number) * numCategories));
          images.dispose();
        },
      }),
    );
    expect(decodedFirst).toHaveLength(2);
  });

  it('says why a decoder of other maps does not fit, and refuses to sample with it', async () => {
    const sampler = createTwoStageSampler(prior, fakeDecoder(numCategories * 2, height, width));
    expect(sampler.mismatch).toBe(
      `expected a prior over the VQ-VAE's ${height}×${width} maps of ${2 * numCategories} codes, got one over ${height}×${width} maps of ${numCategories} codes.`,
    );
    const before = tf.memory().numTensors;
    await expect(sampler.sample(1)).rejects.toThrow(/^twoStageSampler\.sample: expected a prior over the VQ-VAE's/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
