import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fitImages } from './image-shape';

describe('fitImages', () => {
  it('resizes 28×28 grey to 32×32 RGB (grey copied to each channel), values kept in [0, 1]', async () => {
    const before = tf.memory().numTensors;
    const grey = tf.tidy(() => tf.reshape(tf.linspace(0, 1, 2 * 28 * 28), [2, 28, 28, 1]) as tf.Tensor4D);
    const colour = fitImages(grey, [32, 32, 3]);
    expect(colour.shape).toEqual([2, 32, 32, 3]);
    const values = await colour.data();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect([values[0], values[1], values[2]]).toEqual([values[0], values[0], values[0]]);
    // corners are kept (align corners): the first pixel of the first image, the last of the second
    expect(values[0]).toBeCloseTo(0, 6);
    expect(values[values.length - 1]).toBeCloseTo(1, 6);
    tf.dispose([grey, colour]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('averages colour to grey, and returns a copy when the shape already fits', async () => {
    const colour = tf.tensor4d([0.2, 0.4, 0.9], [1, 1, 1, 3]);
    const grey = fitImages(colour, [1, 1, 1]);
    expect(Array.from(await grey.data())[0]).toBeCloseTo(0.5, 6);
    const same = fitImages(colour, [1, 1, 3]);
    expect(same).not.toBe(colour);
    expect(Array.from(await same.data())).toEqual(Array.from(await colour.data()));
    tf.dispose([colour, grey, same]);
  });

  it('refuses channel counts it cannot convert', () => {
    const four = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => fitImages(four, [2, 2, 3])).toThrow(/^fitImages: expected images 1 or 3 channels to give 3, got 4\.$/);
    four.dispose();
  });
});
