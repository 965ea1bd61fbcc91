import { describe, expect, it } from 'vitest';
import { VQVAE_SCORES, vqVaeScores } from './scores';

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
