import { describe, expect, it } from 'vitest';
import { checkPriorFits } from './codes-fit';

describe('checkPriorFits', () => {
  const prior = { config: { numCategories: 128, height: 7, width: 7 } };
  it('accepts code maps of the same size and codebook', () => {
    expect(checkPriorFits(prior, { numCategories: 128, height: 7, width: 7 })).toBeNull();
  });
  it('names both shapes when the size or the codebook differ', () => {
    expect(checkPriorFits(prior, { numCategories: 64, height: 7, width: 7 })).toBe(
      "expected a prior over the VQ-VAE's 7×7 maps of 64 codes, got one over 7×7 maps of 128 codes.",
    );
    expect(checkPriorFits(prior, { numCategories: 128, height: 4, width: 7 })).toMatch(
      /4×7 maps of 128 codes, got one over 7×7/,
    );
  });
});
