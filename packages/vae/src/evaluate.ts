import * as tf from '@tensorflow/tfjs-core';
import {
  assertPositiveInt,
  assertValueRange,
  bitsPerDim,
  ConfigError,
  createRng,
  formatExpected,
  gaussianLogDensity,
  gaussianSample,
  iwaeBound,
  standardNormalLogDensity,
} from '@vaejs/core';
import { isVariational } from './config';
import { gaussianConstant, reconstructionPerExample, runDecoder, runEncoder, type VaeParts } from './forward';
import { checkBatch, perExampleTerms } from './loss';

/** Options of `vae.evaluate`. */
export interface VaeEvaluateOptions {
  /** int32 `[n]` class indices, required for `'cvae'`. */
  labels?: tf.Tensor;
  /** Clean images to score against (the denoising AE); default `x`. */
  target?: tf.Tensor;
  /** Importance samples per example for the IWAE estimate (Burda et al. 2016); 0 (default) skips it. Variational kinds only. */
  iwaeK?: number;
  /** Seed of every posterior sample drawn. Default 0. */
  seed?: number;
  /** Examples per forward pass (and rows per IWAE pass). Default 100. */
  batchSize?: number;
  /** KL weight of `loss`; default `config.beta`. */
  beta?: number;
}

/** Evaluation figures, means over the examples, in nats per example (summed over pixels). */
export interface VaeEvaluation {
  examples: number;
  /** reconstruction + beta·kl: the training loss (single posterior sample per example). */
  loss: number;
  /** Reconstruction term as trained (BCE, sum of squared errors, or Gaussian NLL). */
  reconstruction: number;
  /** KL(q(z|x) ‖ N(0, I)), closed form (0 for the AEs). */
  kl: number;
  /** −ELBO with beta = 1, in true nats (for `'gaussian'` the constant ½·D·log π is added): an upper bound on −log p(x). */
  negativeElbo: number;
  /** IWAE estimate of −log p(x) in nats (≤ negativeElbo in expectation), or `null` when `iwaeK` is 0. */
  iwaeNats: number | null;
  /** `iwaeNats` (or `negativeElbo` when IWAE is skipped) / (D · ln 2), D = h·w·c. */
  bitsPerDim: number;
}

/**
 * Scores a test set: ELBO parts (one seeded posterior sample per example) and the IWAE log-likelihood estimate
 * −log (1/k) Σ p(x, z_i)/q(z_i|x). For the Bernoulli likelihood −log p(x) is a likelihood only on binary x
 * (binarise the test set first, as the papers' "87 nats" do); evaluation scores whatever x it is given.
 */
export async function evaluateVae(
  parts: VaeParts,
  x: tf.Tensor,
  options: VaeEvaluateOptions = {},
): Promise<VaeEvaluation> {
  const fn = 'vae.evaluate';
  const { config } = parts;
  const iwaeK = options.iwaeK ?? 0;
  assertPositiveInt(fn, 'options.iwaeK', iwaeK, 0);
  if (iwaeK > 0 && !isVariational(config.kind)) {
    throw new ConfigError(
      formatExpected(fn, 'options.iwaeK', `0 for config.kind '${config.kind}' (no posterior)`, String(iwaeK)),
    );
  }
  const batchSize = options.batchSize ?? 100;
  assertPositiveInt(fn, 'options.batchSize', batchSize);
  const seed = options.seed ?? 0;
  assertPositiveInt(fn, 'options.seed', seed, 0);
  const whole = checkBatch(
    fn,
    parts,
    { x, target: options.target ?? x, labels: options.labels },
    { beta: options.beta },
    true,
  );
  whole.oneHot?.dispose();
  assertValueRange(fn, options.target ? 'options.target' : 'x', whole.target, 0, 1);
  const rng = createRng(seed);
  const n = x.shape[0];
  const constant = gaussianConstant(config);
  const totals = { reconstruction: 0, kl: 0, iwae: 0 };
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const sums = tf.tidy(() => {
      const slice = <T extends tf.Tensor>(t: T) => tf.slice(t, start, size) as T;
      const labels = options.labels ? slice(options.labels) : undefined;
      const checked = checkBatch(fn, parts, { x: slice(x), target: slice(whole.target), labels }, {}, false);
      const terms = perExampleTerms(parts, { ...checked, seed: rng.nextSeed() });
      const iwae =
        iwaeK > 0 ? tf.sum(iwaeLogLikelihood(parts, checked, iwaeK, batchSize, constant, rng)) : tf.scalar(0);
      return tf.stack([tf.sum(terms.reconstruction), tf.sum(terms.kl), iwae]);
    });
    try {
      const [reconstruction, kl, iwae] = await sums.data();
      totals.reconstruction += reconstruction as number;
      totals.kl += kl as number;
      totals.iwae += iwae as number;
    } finally {
      sums.dispose();
    }
  }
  const beta = isVariational(config.kind) ? whole.beta : 0;
  const reconstruction = totals.reconstruction / n;
  const kl = totals.kl / n;
  const negativeElbo = reconstruction + kl + constant;
  const iwaeNats = iwaeK > 0 ? -totals.iwae / n : null;
  const dims = config.inputShape[0] * config.inputShape[1] * config.inputShape[2];
  return {
    examples: n,
    loss: reconstruction + beta * kl,
    reconstruction,
    kl,
    negativeElbo,
    iwaeNats,
    bitsPerDim: bitsPerDim(iwaeNats ?? negativeElbo, dims),
  };
}

// helpers

/**
 * log p(x) estimates per example, float32 `[batch]`: logMeanExp over k of log p(x|z_i) + log p(z_i) − log q(z_i|x),
 * the k samples drawn in chunks of at most `rowsPerPass` decoded rows.
 */
function iwaeLogLikelihood(
  parts: VaeParts,
  checked: ReturnType<typeof checkBatch>,
  k: number,
  rowsPerPass: number,
  constant: number,
  rng: ReturnType<typeof createRng>,
): tf.Tensor1D {
  const { mean, logVar } = runEncoder(parts, checked.x, checked.oneHot);
  const batch = checked.x.shape[0];
  const samplesPerPass = Math.max(1, Math.floor(rowsPerPass / batch));
  const chunks: tf.Tensor2D[] = [];
  for (let done = 0; done < k; done += samplesPerPass) {
    const samples = Math.min(samplesPerPass, k - done);
    const seed = rng.nextSeed();
    // one tidy per pass: only the [samples, batch] log weights outlive it (k = 5,000 keeps 5,000 passes' worth of
    // decoder activations otherwise)
    chunks.push(
      tf.tidy(() => {
        const meanTiled = tf.tile(mean, [samples, 1]);
        const logVarTiled = tf.tile(logVar as tf.Tensor2D, [samples, 1]);
        const z = gaussianSample(meanTiled, logVarTiled, seed) as tf.Tensor2D;
        const oneHot = checked.oneHot ? tf.tile(checked.oneHot, [samples, 1]) : null;
        const output = runDecoder(parts, z, oneHot);
        const target = tf.tile(checked.target, [samples, 1, 1, 1]);
        const logPxGivenZ = tf.neg(tf.add(reconstructionPerExample(parts, target, output), constant));
        const logPz = standardNormalLogDensity(z);
        const logQ = gaussianLogDensity(z, meanTiled, logVarTiled);
        return tf.reshape(tf.sub(tf.add(logPxGivenZ, logPz), logQ), [samples, batch]) as tf.Tensor2D;
      }),
    );
  }
  return iwaeBound(tf.concat(chunks, 0) as tf.Tensor2D);
}

/**
 * The scores of a VAE's evaluation, by the names `vaejs eval` and the README give them, in their order, each with
 * what it means (see {@link vaeScores}).
 */
export const VAE_SCORES: readonly (readonly [string, string])[] = Object.freeze([
  ['loss', 'nats per image: reconstruction + β·KL, the training loss'],
  ['reconstruction', 'nats per image: −log p(x|z), one posterior sample'],
  ['kl', 'nats per image: KL(q(z|x) ‖ p(z)), in closed form'],
  ['negative_elbo', 'nats per image: reconstruction + KL (β = 1)'],
  ['iwae_nll', 'nats per image: the IWAE estimate of −log p(x) (--iwae-k)'],
  ['bits_per_dim', 'iwae_nll (else negative_elbo) / (pixels · ln 2)'],
] as const);

/**
 * A VAE's evaluation under the names of {@link VAE_SCORES} (`iwae_nll` null when IWAE was skipped).
 * @example vaeScores(await vae.evaluate(x, { iwaeK: 50 })) // { loss: 104.9, …, iwae_nll: 99.1, bits_per_dim: 0.18 }
 */
export function vaeScores(evaluation: VaeEvaluation): Record<string, number | null> {
  const { loss, reconstruction, kl, negativeElbo, iwaeNats, bitsPerDim } = evaluation;
  return { loss, reconstruction, kl, negative_elbo: negativeElbo, iwae_nll: iwaeNats, bits_per_dim: bitsPerDim };
}
