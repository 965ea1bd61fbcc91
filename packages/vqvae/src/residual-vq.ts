// Residual vector quantisation: Zeghidour et al. (2021), "SoundStream: An End-to-End Neural Audio Codec",
// arXiv:2107.03312 (algorithm 1, and quantizer dropout), as EnCodec and vector-quantize-pytorch's ResidualVQ. Level 0
// quantises z_e, each next level the residual the levels before it left (z_e minus their codes), and the output is
// the sum of the levels' codes (straight-through from z_e to that sum, or the rotation trick), so L codebooks of K
// codes describe K^L points with L·K vectors. Each level is a
// classic quantiser (its own codebook and EMA state, or one codebook shared by all), with its own codebook and
// commitment losses on its residual. With quantizer dropout a training step uses only the first n levels, n drawn
// uniformly in [1, L], so that any prefix of the codes decodes to a coarser image.
import * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertPositiveInt,
  createRng,
  formatExpected,
  type Rng,
  ShapeError,
  stopGradient,
} from '@vaejs/core';
import { codeCounts, perplexityFromCounts, usageFromCounts } from './code-metrics';
import { assertLastDim } from './nearest-code';
import { ownedProjection, projectedQuantizer } from './projection';
import type { QuantizeOptions, QuantizeResult, Quantizer } from './quantizer';
import {
  innerQuantizerConfig,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
} from './quantizer-config';
import {
  gradientEstimator,
  initialCodebook,
  restoreQuantizerState,
  type VectorQuantizer,
  type VectorQuantizerVariables,
  vectorQuantizerFromVariables,
} from './vector-quantizer';

/** The settings of a residual quantiser beyond its levels' (each level is a classic quantiser of `config`). */
export interface ResidualSettings {
  /** L, the number of levels (≥ 1). */
  numQuantizers: number;
  /** One codebook (and EMA state) for every level, instead of one per level. */
  sharedCodebook: boolean;
  /** Train each step on the first n levels only, n uniform in [1, L] (SoundStream's quantizer dropout). */
  quantizerDropout: boolean;
}

/** A residual quantiser: codes are int32 [..., L], one index in [0, K) per level. */
export interface ResidualVectorQuantizer extends Quantizer {
  readonly kind: 'rvq';
  readonly settings: Readonly<ResidualSettings>;
  /** The classic quantiser of each level (the same object L times with a shared codebook). */
  readonly levels: readonly VectorQuantizer[];
}

/**
 * Builds the residual quantiser over existing variables, one set per level (or one set for all levels with
 * `sharedCodebook`). Internal: the layer builds it.
 * @param config the classic quantiser's config of every level (K codes of size D)
 */
export function residualQuantizerFromVariables(
  config: Readonly<ResolvedVectorQuantizerConfig>,
  settings: Readonly<ResidualSettings>,
  variables: readonly VectorQuantizerVariables[],
  options: { owned: boolean; initialized?: boolean },
): ResidualVectorQuantizer {
  const { dim, codebookSize } = config;
  const count = settings.numQuantizers;
  const rng: Rng = createRng(config.seed);
  const made = variables.map((set) => vectorQuantizerFromVariables(config, set, { ...options, rng }));
  const levels = Array.from({ length: count }, (_, l) => made[settings.sharedCodebook ? 0 : l] as VectorQuantizer);
  let activeLevels = count;
  const check = (fn: string, z: tf.Tensor) => assertLastDim(fn, z, dim, 'config.dim');
  return {
    kind: 'rvq',
    settings,
    levels,
    dim,
    codebookSize,
    get codebook() {
      return (levels[0] as VectorQuantizer).codebook;
    },
    get initialized() {
      return made.every((level) => level.initialized);
    },
    get trainableVariables() {
      return made.flatMap((level) => level.trainableVariables);
    },
    quantize(z, callOptions = {}) {
      check('residualQuantizer.quantize', z);
      activeLevels = settings.quantizerDropout && callOptions.training ? 1 + Math.floor(rng.uniform() * count) : count;
      const estimator = gradientEstimator(config);
      const run = () => quantizeLevels(levels, activeLevels, z, callOptions, estimator, codebookSize);
      return tf.tidy(run as unknown as () => tf.TensorContainer) as unknown as QuantizeResult;
    },
    encode(z) {
      check('residualQuantizer.encode', z);
      return tf.tidy(() => {
        let residual = z;
        const codes: tf.Tensor[] = [];
        for (const level of levels) {
          const indices = level.encode(residual);
          residual = tf.sub(residual, level.lookup(indices));
          codes.push(indices);
        }
        return tf.stack(codes, -1);
      });
    },
    lookup(indices) {
      assertDtype('residualQuantizer.lookup', 'indices', indices, 'int32');
      const used = indices.shape[indices.rank - 1] ?? 0;
      if (indices.rank < 1 || used < 1 || used > count) {
        const got = `shape [${indices.shape.join(', ')}]`;
        throw new ShapeError(
          formatExpected('residualQuantizer.lookup', 'indices', `[..., m] with 1 ≤ m ≤ ${count}`, got),
        );
      }
      return tf.tidy(() =>
        tf.addN(tf.unstack(indices, -1).map((codes, l) => (levels[l] as VectorQuantizer).lookup(codes))),
      );
    },
    initialize(z) {
      check('residualQuantizer.initialize', z);
      tf.tidy(() => {
        let residual = z;
        for (const level of made.length === 1 ? [levels[0] as VectorQuantizer] : levels) {
          level.initialize(residual);
          residual = tf.sub(residual, level.lookup(level.encode(residual)));
        }
      });
    },
    update(z, indices) {
      check('residualQuantizer.update', z);
      return tf.tidy(() => {
        const codes = indices ?? this.encode(z);
        let residual = z;
        let restarted = tf.scalar(0, 'int32') as tf.Scalar;
        tf.unstack(codes, -1)
          .slice(0, activeLevels)
          .forEach((levelCodes, l) => {
            const level = levels[l] as VectorQuantizer;
            const next = tf.sub(residual, level.lookup(levelCodes));
            const result = level.update(residual, levelCodes);
            restarted = tf.add(restarted, result.restarted) as tf.Scalar;
            residual = next;
          });
        return { restarted };
      });
    },
    getRngState: () => rng.getState(),
    setRngState: (state) => rng.setState(state),
    getState: () => ({ initialized: made.every((level) => level.initialized), rngState: rng.getState() }),
    setState(state) {
      const initialized = restoreQuantizerState('residualQuantizer.setState', state, rng);
      for (const level of made) level.setState({ initialized, rngState: rng.getState() });
    },
    dispose() {
      for (const level of made) level.dispose();
    },
  };
}

/**
 * The first `active` levels over the residuals: losses summed over the levels, indices of every level (an inactive
 * level's codes are computed for the metrics, not used), output straight-through from z_e to the sum of the codes.
 * Perplexity and usage are those of level 0.
 */
function quantizeLevels(
  levels: readonly VectorQuantizer[],
  active: number,
  z: tf.Tensor,
  options: QuantizeOptions,
  estimator: (encoded: tf.Tensor, quantized: tf.Tensor) => tf.Tensor,
  codebookSize: number,
): QuantizeResult {
  let residual = z;
  let quantized = tf.zerosLike(z);
  let codebookLoss = tf.scalar(0);
  let commitmentLoss = tf.scalar(0);
  let loss = tf.scalar(0);
  const codes: tf.Tensor[] = [];
  levels.forEach((level, l) => {
    if (l >= active) {
      const unused = level.encode(residual);
      codes.push(unused);
      residual = tf.sub(residual, level.lookup(unused));
      return;
    }
    const result = level.quantize(residual, options);
    codes.push(result.indices);
    quantized = tf.add(quantized, result.quantized);
    codebookLoss = tf.add(codebookLoss, result.codebookLoss);
    commitmentLoss = tf.add(commitmentLoss, result.commitmentLoss);
    loss = tf.add(loss, result.loss);
    residual = tf.sub(residual, stopGradient(result.quantized));
  });
  const indices = tf.stack(codes, -1);
  const counts = codeCounts(codes[0] as tf.Tensor, codebookSize);
  return {
    quantized,
    indices,
    output: estimator(z, quantized),
    codebookLoss: codebookLoss as tf.Scalar,
    commitmentLoss: commitmentLoss as tf.Scalar,
    loss: loss as tf.Scalar,
    perplexity: perplexityFromCounts(counts),
    usage: usageFromCounts(counts),
  };
}

/**
 * Creates a residual quantiser owning its variables: `numQuantizers` classic quantisers of `config` (level l's
 * codebook drawn from seed + l; one for all levels with `sharedCodebook`).
 * @example
 * const rvq = createResidualVectorQuantizer({ dim: 16, codebookSize: 64, numQuantizers: 2 });
 * const { output, indices } = rvq.quantize(zE); // zE [n, 7, 7, 16] → indices int32 [n, 7, 7, 2]
 */
export function createResidualVectorQuantizer(
  config: VectorQuantizerConfig & Partial<ResidualSettings>,
): ResidualVectorQuantizer {
  const fn = 'createResidualVectorQuantizer';
  const { numQuantizers = 2, sharedCodebook = false, quantizerDropout = false, ...classic } = config;
  assertPositiveInt(fn, 'config.numQuantizers', numQuantizers);
  const resolved = resolveVectorQuantizerConfig(classic, fn);
  const inner = innerQuantizerConfig(resolved);
  const sets = sharedCodebook ? 1 : numQuantizers;
  const variables = Array.from({ length: sets }, (_, level) =>
    tf.tidy(() => {
      const initial = initialCodebook({ ...inner, seed: inner.seed + level });
      return {
        codebook: tf.variable(initial, !resolved.ema),
        clusterSize: tf.variable(tf.ones([resolved.codebookSize]), false),
        embedSum: tf.variable(initial, false),
      };
    }),
  );
  const settings = Object.freeze({ numQuantizers, sharedCodebook, quantizerDropout });
  const quantizer = residualQuantizerFromVariables(inner, settings, variables, { owned: true });
  if (resolved.codebookDim === 0) return quantizer;
  const maps = ownedProjection(resolved.dim, resolved.codebookDim, resolved.seed);
  return projectedQuantizer(quantizer, maps, resolved.dim, true);
}
