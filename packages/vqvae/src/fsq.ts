// Finite scalar quantisation: Mentzer, Minnen, Agustsson, Tschannen (2023), "Finite Scalar Quantization: VQ-VAE Made
// Simple", arXiv:2309.15505. No codebook to learn: each of the D channels is bounded (tanh) to L_i levels and rounded
// (straight-through), so the codes are the points of a fixed grid of L_1·…·L_D values. With no codebook there is
// nothing to collapse, no commitment or codebook loss and no restarts. Codes are numbered in mixed radix (channel 0
// the fastest digit), one index per position, so a PixelCNN prior takes them as it takes a VQ-VAE's codes.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue, formatExpected, straightThrough } from '@vaejs/core';
import { codeCounts, perplexityFromCounts, usageFromCounts } from './code-metrics';
import { fixedCodebookMembers } from './fixed-codebook';
import { assertLastDim } from './nearest-code';
import type { Quantizer } from './quantizer';

/** The largest implicit codebook FSQ builds (2^16 codes, as the paper's largest). */
export const FSQ_MAX_CODES = 65536;

/** Margin of the bound, so that tanh's open interval still reaches the outer levels (as the paper's code). */
const BOUND_EPS = 1e-3;

/** A finite scalar quantiser over `levels.length` channels. */
export interface FiniteScalarQuantizer extends Quantizer {
  readonly kind: 'fsq';
  /** Levels per channel, e.g. [8, 5, 5, 5]; K is their product. */
  readonly levels: readonly number[];
}

/**
 * Checks FSQ levels: a non-empty array of integers ≥ 2 whose product is at most {@link FSQ_MAX_CODES}.
 * @returns the product K
 * @throws ConfigError naming `name`
 */
export function checkFsqLevels(fn: string, name: string, levels: unknown): number {
  const expected = `a non-empty array of integers ≥ 2 with a product ≤ ${FSQ_MAX_CODES}, e.g. [8, 5, 5, 5]`;
  if (!Array.isArray(levels) || levels.length === 0) {
    throw new ConfigError(formatExpected(fn, name, expected, describeValue(levels)));
  }
  let product = 1;
  for (const level of levels) {
    if (!Number.isInteger(level) || level < 2) {
      throw new ConfigError(formatExpected(fn, name, expected, `[${levels.join(', ')}]`));
    }
    product *= level;
  }
  if (product > FSQ_MAX_CODES) {
    throw new ConfigError(formatExpected(fn, name, expected, `[${levels.join(', ')}] (${product} codes)`));
  }
  return product;
}

/** Per-channel constants of the bound and the numbering. */
interface FsqConstants {
  /** (L − 1)(1 + ε)/2 */
  halfRange: number[];
  /** 0.5 for an even L (its levels sit between integers), 0 for an odd one. */
  offset: number[];
  /** atanh(offset / halfRange): moves tanh so that z = 0 lands on a level. */
  shift: number[];
  /** ⌊L/2⌋: rounded values in [−⌊L/2⌋, ⌈L/2⌉ − 1] are divided by it, so codes lie in [−1, 1]. */
  halfWidth: number[];
  /** Mixed-radix place values: 1, L_0, L_0·L_1, … */
  basis: number[];
}

function fsqConstants(levels: readonly number[]): FsqConstants {
  const halfRange = levels.map((level) => ((level - 1) * (1 + BOUND_EPS)) / 2);
  const offset = levels.map((level) => (level % 2 === 0 ? 0.5 : 0));
  const basis: number[] = [];
  levels.reduce((place, level) => {
    basis.push(place);
    return place * level;
  }, 1);
  return {
    halfRange,
    offset,
    shift: offset.map((o, i) => Math.atanh(o / (halfRange[i] as number))),
    halfWidth: levels.map((level) => Math.floor(level / 2)),
    basis,
  };
}

/**
 * The grid of code values, float32 [K, D]: row k is the code of index k (channel i's digit ⌊k / basis_i⌋ mod L_i,
 * as `(digit − ⌊L_i/2⌋) / ⌊L_i/2⌋`).
 */
export function fsqCodebook(levels: readonly number[]): tf.Tensor2D {
  const { basis, halfWidth } = fsqConstants(levels);
  const size = levels.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size * levels.length);
  for (let k = 0; k < size; k++) {
    levels.forEach((level, i) => {
      const digit = Math.floor(k / (basis[i] as number)) % level;
      values[k * levels.length + i] = (digit - (halfWidth[i] as number)) / (halfWidth[i] as number);
    });
  }
  return tf.tensor2d(values, [size, levels.length]);
}

/**
 * Builds the quantiser around an existing variable holding {@link fsqCodebook} (the one of an `FsqLayer`). Internal.
 * @param options.owned whether `dispose` frees the variable
 */
export function finiteScalarQuantizerFromVariable(
  levels: readonly number[],
  codebook: tf.Variable,
  options: { owned: boolean; seed?: number },
): FiniteScalarQuantizer {
  const dim = levels.length;
  const codebookSize = checkFsqLevels('createFiniteScalarQuantizer', 'levels', levels);
  const constants = fsqConstants(levels);
  // the per-channel constants as tensors, built once (not per batch); the quantiser's dispose frees them
  const [shift, halfRange, offset, halfWidth, basis] = [
    constants.shift,
    constants.halfRange,
    constants.offset,
    constants.halfWidth,
    constants.basis,
  ].map((values) => tf.keep(tf.tensor1d(values)));
  const channelConstants = [shift, halfRange, offset, halfWidth, basis] as tf.Tensor1D[];
  const check = (fn: string, z: tf.Tensor) => assertLastDim(fn, z, dim, 'levels.length');
  // bounded(z) = tanh(z + shift)·halfRange − offset, then rounded to the nearest level
  const bounded = (z: tf.Tensor) =>
    tf.sub(tf.mul(tf.tanh(tf.add(z, shift as tf.Tensor1D)), halfRange as tf.Tensor1D), offset as tf.Tensor1D);
  const indicesOf = (rounded: tf.Tensor) =>
    tf.cast(tf.round(tf.sum(tf.mul(tf.add(rounded, halfWidth as tf.Tensor1D), basis as tf.Tensor1D), -1)), 'int32');
  return {
    kind: 'fsq',
    levels: Object.freeze([...levels]),
    dim,
    codebookSize,
    ...fixedCodebookMembers('finiteScalarQuantizer', codebook, options.seed ?? 0),
    quantize(z) {
      check('finiteScalarQuantizer.quantize', z);
      return tf.tidy(() => {
        const continuous = bounded(z);
        const rounded = tf.round(continuous);
        const scale = halfWidth as tf.Tensor1D;
        const indices = indicesOf(rounded);
        const counts = codeCounts(indices, codebookSize);
        return {
          quantized: tf.div(rounded, scale),
          indices,
          output: tf.div(straightThrough(continuous, rounded), scale),
          codebookLoss: tf.scalar(0),
          commitmentLoss: tf.scalar(0),
          loss: tf.scalar(0),
          perplexity: perplexityFromCounts(counts),
          usage: usageFromCounts(counts),
        };
      });
    },
    encode(z) {
      check('finiteScalarQuantizer.encode', z);
      return tf.tidy(() => indicesOf(tf.round(bounded(z))));
    },
    dispose() {
      tf.dispose(channelConstants);
      if (options.owned) codebook.dispose();
    },
  };
}

/**
 * Creates a finite scalar quantiser owning its (fixed) grid of codes.
 * @param config `{ levels }`: levels per channel, e.g. `[8, 5, 5, 5]` (D = 4 channels, K = 1000 codes)
 * @example
 * const fsq = createFiniteScalarQuantizer({ levels: [8, 4, 4] });
 * const { output, indices } = fsq.quantize(zE); // zE [n, 7, 7, 3] → output [n, 7, 7, 3], indices int32 [n, 7, 7] in [0, 128)
 */
export function createFiniteScalarQuantizer(config: { levels: readonly number[] }): FiniteScalarQuantizer {
  const fn = 'createFiniteScalarQuantizer';
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', '{ levels }', describeValue(config)));
  }
  checkFsqLevels(fn, 'config.levels', config.levels);
  const codebook = tf.tidy(() => tf.variable(fsqCodebook(config.levels), false));
  return finiteScalarQuantizerFromVariable(config.levels, codebook, { owned: true });
}
