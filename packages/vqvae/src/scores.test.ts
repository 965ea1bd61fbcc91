import { describe, expect, it } from 'vitest';
import { VQVAE_SCORES, vqVaeScoreMeanings, vqVaeScores } from './scores';

describe('vqVaeScores', () => {
  it('adds the reconstruction MSE and that MSE over the data variance to the loss parts', () => {
    const scores = vqVaeScores({ loss: 0.5, reconstructionMse: 0.02, codebook: 0.1, commitment: 0.1 }, 0.1);
    expect(scores).toMatchObject({ loss: 0.5, reconstruction_mse: 0.02, codebook: 0.1, commitment: 0.1 });
    expect(scores.mse_over_variance).toBeCloseTo(0.2, 10);
  });

  it('names every score it gives, once', () => {
    const names = VQVAE_SCORES.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['loss', 'mse_over_variance', 'reconstruction_mse']));
  });
});

describe('vqVaeScoreMeanings', () => {
  it("says what each quantiser's scores mean, in the classic order", () => {
    const meaning = (kind: Parameters<typeof vqVaeScoreMeanings>[0], name: string) =>
      vqVaeScoreMeanings(kind).find(([key]) => key === name)?.[1];
    expect(vqVaeScoreMeanings('vq')).toEqual(VQVAE_SCORES);
    for (const kind of ['fsq', 'lfq', 'rvq'] as const) {
      expect(vqVaeScoreMeanings(kind).map(([name]) => name)).toEqual(VQVAE_SCORES.map(([name]) => name));
    }
    expect(meaning('fsq', 'codebook')).toBe('0: FSQ has no codebook loss');
    expect(meaning('lfq', 'codebook')).toMatch(/^the entropy penalty/);
    expect(meaning('rvq', 'code_usage')).toBe("share of the first level's codebook used");
    expect(meaning('fsq', 'reconstruction_mse')).toBe(meaning('vq', 'reconstruction_mse'));
  });
});
