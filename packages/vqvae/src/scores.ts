/** The scores of a VQ-VAE's evaluation, by the names `vaejs eval` and the README give them. */
import type { QuantizerKind } from './quantizer';

type Meanings = readonly (readonly [string, string])[];

/** The scores of a VQ-VAE's evaluation, in their order, each with what it means (see {@link vqVaeScores}). */
export const VQVAE_SCORES: Meanings = Object.freeze([
  ['loss', 'mse_over_variance + β·commitment (+ codebook without EMA), the training loss'],
  ['mse_over_variance', 'reconstruction MSE / the data variance'],
  ['reconstruction_mse', 'mean squared error per pixel'],
  ['codebook', '‖sg(z_e) − z_q‖², mean'],
  ['commitment', '‖z_e − sg(z_q)‖², mean, before β'],
  ['code_perplexity', 'exp(entropy of the codes used), at most the codebook size'],
  ['code_usage', 'share of the codebook used'],
] as const);

/** What each kind of quantiser means by the scores whose meaning differs from the classic quantiser's. */
const KIND_MEANINGS: Record<QuantizerKind, Readonly<Record<string, string>>> = {
  vq: {},
  fsq: {
    loss: 'mse_over_variance, the training loss (FSQ adds no codebook or commitment loss)',
    codebook: '0: FSQ has no codebook loss',
    commitment: '0: FSQ has no commitment loss',
  },
  lfq: {
    loss: 'mse_over_variance + entropyWeight·codebook + β·commitment, the training loss',
    codebook: 'the entropy penalty: mean per-vector code entropy − diversity·entropy of the mean',
    commitment: '‖z_e − sg(sign(z_e))‖², mean, before β',
  },
  rvq: {
    codebook: '‖sg(r_l) − q_l‖², mean, summed over the levels (r_l: what level l quantises)',
    commitment: '‖r_l − sg(q_l)‖², mean, summed over the levels, before β',
    code_perplexity: "exp(entropy of the first level's codes used), at most the codebook size",
    code_usage: "share of the first level's codebook used",
  },
};

/**
 * {@link VQVAE_SCORES} as they read for a VQ-VAE with quantiser `kind`: FSQ's codebook and commitment are 0, LFQ's
 * codebook score is its entropy penalty, residual VQ sums its levels' losses and measures its first level's codes.
 * @example vqVaeScoreMeanings('fsq').find(([name]) => name === 'codebook') // ['codebook', '0: FSQ has no codebook loss']
 */
export function vqVaeScoreMeanings(kind: QuantizerKind): Meanings {
  const changed = KIND_MEANINGS[kind] ?? {};
  return Object.freeze(VQVAE_SCORES.map(([name, meaning]) => Object.freeze([name, changed[name] ?? meaning] as const)));
}

/**
 * A VQ-VAE's mean loss parts and code metrics over a test set (`evaluate` of @vaejs/training), with the scores of
 * {@link VQVAE_SCORES} they give: the reconstruction MSE, and that MSE over the model's `dataVariance`.
 * @example vqVaeScores(await evaluate(vqvae, test), vqvae.config.dataVariance).mse_over_variance // 0.0444
 */
export function vqVaeScores(parts: Readonly<Record<string, number>>, dataVariance: number): Record<string, number> {
  const mse = parts.reconstructionMse as number;
  return { ...parts, mse_over_variance: mse / dataVariance, reconstruction_mse: mse };
}
