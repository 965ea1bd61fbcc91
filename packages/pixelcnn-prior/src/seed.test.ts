import { describe, expect, it } from 'vitest';
import { createPixelCnn } from './pixelcnn';

describe('weight initialisation', () => {
  it('is the same for the same seed, seed 0 included (tfjs normal initialisers take 0 as "unseeded")', () => {
    const weights = (seed: number) => {
      const prior = createPixelCnn({ numCategories: 4, height: 3, width: 3, channels: 4, layers: 1, seed });
      const values = prior.network.getWeights().map((w) => Array.from(w.dataSync()));
      prior.dispose();
      return values;
    };
    expect(weights(0)).toEqual(weights(0));
    expect(weights(3)).toEqual(weights(3));
    expect(weights(0)).not.toEqual(weights(3));
  });
});
