/** The scores of a VQ-VAE's evaluation, by the names `vaejs eval` and the README give them. */

/** The scores of a VQ-VAE's evaluation, in their order, each with what it means (see {@link vqVaeScores}). */
export const VQVAE_SCORES: readonly (readonly [string, string])[] = Object.freeze([
  ['loss', 'mse_over_variance + β·commitment (+ codebook without EMA), the training loss'],
  ['mse_over_variance', 'reconstruction MSE / the data variance'],
  ['reconstruction_mse', 'mean squared error per pixel'],
  ['codebook', '‖sg(z_e) − z_q‖², mean'],
  ['commitment', '‖z_e − sg(z_q)‖², mean, before β'],
  ['code_perplexity', 'exp(entropy of the codes used), at most the codebook size'],
  ['code_usage', 'share of the codebook used'],
] as const);

/**
 * A VQ-VAE's mean loss parts and code metrics over a test set (`evaluate` of @vaejs/training), with the scores of
 * {@link VQVAE_SCORES} they give: the reconstruction MSE, and that MSE over the model's `dataVariance`.
 * @example vqVaeScores(await evaluate(vqvae, test), vqvae.config.dataVariance).mse_over_variance // 0.0444
 */
export function vqVaeScores(parts: Readonly<Record<string, number>>, dataVariance: number): Record<string, number> {
  const mse = parts.reconstructionMse as number;
  return { ...parts, mse_over_variance: mse / dataVariance, reconstruction_mse: mse };
}
