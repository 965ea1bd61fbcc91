// Lookup-free quantisation: Yu et al. (2024), "Language Model Beats Diffusion — Tokenizer is Key to Visual
// Generation" (MAGVIT-v2), arXiv:2310.05737. Each of the d channels is quantised to its sign, so the codebook is the
// 2^d corners of the cube {−1, 1}^d and the lookup is free. To use the codes evenly it adds an entropy penalty: the
// mean entropy of each vector's soft code distribution (to make every vector decide) minus the entropy of the batch's
// mean distribution (to spread the batch over the codes), with a commitment loss as VQ's. Codes are numbered by their
// bits (bit i set when channel i is positive, channel 0 the least significant), one index per position.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue, formatExpected, stopGradient, straightThrough } from '@vaejs/core';
import { codeCounts, perplexityFromCounts, usageFromCounts } from './code-metrics';
import { fixedCodebookMembers } from './fixed-codebook';
import { assertLastDim } from './nearest-code';
import type { QuantizeOptions, Quantizer } from './quantizer';

/** The most channels LFQ takes (2^16 codes). */
export const LFQ_MAX_DIM = 16;

/** LFQ's settings, defaults as vector-quantize-pytorch's LFQ. */
export interface LfqSettings {
  /** Weight of the entropy penalty (default 0.1). */
  entropyWeight: number;
  /** γ, weight of the batch entropy inside the penalty (default 1). */
  diversity: number;
  /** Temperature of the soft code distribution `softmax(−‖z − c‖² / temperature)` (default 0.01). */
  temperature: number;
  /** Weight of the commitment loss `mean ‖z − sg(q)‖²` (default 0.25). */
  beta: number;
}

/** Defaults of {@link LfqSettings}. */
export const DEFAULT_LFQ_SETTINGS: Readonly<LfqSettings> = Object.freeze({
  entropyWeight: 0.1,
  diversity: 1,
  temperature: 0.01,
  beta: 0.25,
});

/** A lookup-free quantiser over `dim` channels. */
export interface LookupFreeQuantizer extends Quantizer {
  readonly kind: 'lfq';
  readonly settings: Readonly<LfqSettings>;
}

/**
 * The 2^d codes, float32 [2^d, d]: row k has +1 in channel i when bit i of k is set, else −1.
 * @throws ConfigError for d outside [1, 16]
 */
export function lfqCodebook(dim: number): tf.Tensor2D {
  if (!Number.isInteger(dim) || dim < 1 || dim > LFQ_MAX_DIM) {
    throw new ConfigError(
      formatExpected('lfqCodebook', 'dim', `an integer in [1, ${LFQ_MAX_DIM}]`, describeValue(dim)),
    );
  }
  const size = 2 ** dim;
  const values = new Float32Array(size * dim);
  for (let k = 0; k < size; k++) {
    for (let i = 0; i < dim; i++) values[k * dim + i] = (k >> i) & 1 ? 1 : -1;
  }
  return tf.tensor2d(values, [size, dim]);
}

/**
 * The entropy penalty `mean_n H(p_n) − γ·H(mean_n p_n)` of the soft code distributions
 * `p_n(k) ∝ exp(−‖z_n − c_k‖² / τ)`. Over the corners of the cube the distribution factorises by channel
 * (bit i set with probability sigmoid(4·z_i/τ)), so `log p_n(k)` is one product of the channels' log-probabilities
 * with the codes' bits.
 * @param flat float32 [N, d]
 * @param bits float32 [d, 2^d]: bit i of code k (1 or 0)
 * @param offBits `1 − bits`, if the caller keeps it (a quantiser builds it once, not every batch)
 */
export function lfqEntropyPenalty(
  flat: tf.Tensor2D,
  bits: tf.Tensor2D,
  settings: Pick<LfqSettings, 'diversity' | 'temperature'>,
  offBits?: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = tf.mul(flat, 4 / settings.temperature);
    // log sigmoid(±x) = −softplus(∓x); not tf.logSigmoid, whose gradient reads its input after tidy has freed it
    const logOn = tf.neg(tf.softplus(tf.neg(logits)));
    const logOff = tf.neg(tf.softplus(logits));
    // log p_n(k) = Σ_i bit_ik·log s_ni + (1 − bit_ik)·log(1 − s_ni)
    const logP = tf.add(tf.matMul(logOn, bits), tf.matMul(logOff, offBits ?? tf.sub(1, bits)));
    const p = tf.exp(logP);
    const perSample = tf.mean(tf.neg(tf.sum(tf.mul(p, logP), -1)));
    const average = tf.mean(p, 0);
    const batch = tf.neg(tf.sum(tf.mul(average, tf.log(tf.maximum(average, 1e-30)))));
    return tf.sub(perSample, tf.mul(settings.diversity, batch)) as tf.Scalar;
  });
}

/**
 * Builds the quantiser around an existing variable holding {@link lfqCodebook} (the one of a layer). Internal.
 * @param options.owned whether `dispose` frees the variable
 */
export function lookupFreeQuantizerFromVariable(
  settings: Readonly<LfqSettings>,
  codebook: tf.Variable,
  options: { owned: boolean; seed?: number },
): LookupFreeQuantizer {
  const dim = codebook.shape[1] as number;
  const codebookSize = codebook.shape[0] as number;
  const check = (fn: string, z: tf.Tensor) => assertLastDim(fn, z, dim, 'the code bits');
  const place = tf.tensor1d(Array.from({ length: dim }, (_, i) => 2 ** i));
  const bits = tf.tidy(() => tf.div(tf.add(tf.transpose(codebook), 1), 2) as tf.Tensor2D);
  const offBits = tf.tidy(() => tf.sub(1, bits) as tf.Tensor2D);
  const indicesOf = (z: tf.Tensor) => tf.cast(tf.sum(tf.mul(tf.cast(tf.greater(z, 0), 'float32'), place), -1), 'int32');
  return {
    kind: 'lfq',
    settings,
    dim,
    codebookSize,
    ...fixedCodebookMembers('lookupFreeQuantizer', codebook, options.seed ?? 0),
    quantize(z, callOptions: QuantizeOptions = {}) {
      check('lookupFreeQuantizer.quantize', z);
      return tf.tidy(() => {
        // 2·step(z) − 1: +1 where z > 0, else −1 (Step, unlike Greater, has a gradient for the tape to pass through)
        const quantized = tf.sub(tf.mul(tf.step(z), 2), 1);
        const indices = indicesOf(z);
        const entropy = lfqEntropyPenalty(tf.reshape(z, [-1, dim]) as tf.Tensor2D, bits, settings, offBits);
        const commitmentLoss = tf.mean(tf.squaredDifference(z, stopGradient(quantized))) as tf.Scalar;
        const beta = callOptions.beta ?? settings.beta;
        const counts = codeCounts(indices, codebookSize);
        return {
          quantized,
          indices,
          output: straightThrough(z, quantized),
          codebookLoss: entropy,
          commitmentLoss,
          loss: tf.add(tf.mul(entropy, settings.entropyWeight), tf.mul(commitmentLoss, beta)) as tf.Scalar,
          perplexity: perplexityFromCounts(counts),
          usage: usageFromCounts(counts),
        };
      });
    },
    encode(z) {
      check('lookupFreeQuantizer.encode', z);
      return tf.tidy(() => indicesOf(z));
    },
    dispose() {
      tf.dispose([place, bits, offBits]);
      if (options.owned) codebook.dispose();
    },
  };
}

/**
 * Creates a lookup-free quantiser over `dim` channels (2^dim codes), owning its fixed codebook.
 * @param config `{ dim, entropyWeight?, diversity?, temperature?, beta? }` (defaults {@link DEFAULT_LFQ_SETTINGS})
 * @example
 * const lfq = createLookupFreeQuantizer({ dim: 7 }); // 128 codes
 * const { output, indices, loss } = lfq.quantize(zE); // zE [n, 7, 7, 7] → indices int32 [n, 7, 7] in [0, 128)
 */
export function createLookupFreeQuantizer(config: { dim: number } & Partial<LfqSettings>): LookupFreeQuantizer {
  const fn = 'createLookupFreeQuantizer';
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', '{ dim }', describeValue(config)));
  }
  const { dim, ...rest } = config;
  const settings = resolveLfqSettings(fn, 'config', rest);
  const codebook = tf.tidy(() => tf.variable(lfqCodebook(dim), false));
  return lookupFreeQuantizerFromVariable(settings, codebook, { owned: true });
}

/**
 * Merges defaults into LFQ settings and validates them. @throws ConfigError naming `${prefix}.<field>`
 */
export function resolveLfqSettings(fn: string, prefix: string, settings: Partial<LfqSettings>): Readonly<LfqSettings> {
  for (const key of Object.keys(settings)) {
    if (!(key in DEFAULT_LFQ_SETTINGS))
      throw new ConfigError(formatExpected(fn, prefix, 'known keys only', `'${key}'`));
  }
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULT_LFQ_SETTINGS, ...defined } as LfqSettings;
  for (const key of ['entropyWeight', 'diversity', 'beta'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(formatExpected(fn, `${prefix}.${key}`, 'a number ≥ 0', describeValue(value)));
    }
  }
  if (
    typeof resolved.temperature !== 'number' ||
    !(resolved.temperature > 0) ||
    !Number.isFinite(resolved.temperature)
  ) {
    throw new ConfigError(
      formatExpected(fn, `${prefix}.temperature`, 'a number > 0', describeValue(resolved.temperature)),
    );
  }
  return Object.freeze(resolved);
}
