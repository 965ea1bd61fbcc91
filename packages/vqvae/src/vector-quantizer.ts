// Vector quantiser of van den Oord et al. (2017), "Neural Discrete Representation Learning", with the EMA codebook
// of their appendix / Razavi et al. (2019), dead-code restarts (Łańcucki et al. 2020) and cosine lookup as in
// lucidrains/vector-quantize-pytorch.
import * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertNumberInRange,
  CheckpointError,
  createRng,
  describeValue,
  formatExpected,
  type Rng,
  type RngState,
  stopGradient,
  straightThrough,
} from '@vaejs/core';
import { codeCounts, perplexityFromCounts, usageFromCounts } from './code-metrics';
import { emaCodebookUpdate, kmeans, restartDeadCodes } from './codebook-updates';
import { assertLastDim, gatherCodes, l2Normalize, nearestCodes } from './nearest-code';
import { ownedProjection, projectedQuantizer } from './projection';
import type { QuantizeOptions, QuantizeResult, Quantizer, VectorQuantizerState } from './quantizer';
import {
  innerQuantizerConfig,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
} from './quantizer-config';
import { rotateTo } from './rotation-trick';
import { segmentCounts } from './segment-sum';

export type { QuantizeOptions, QuantizeResult, VectorQuantizerState };

/** The variables holding a quantiser's state. */
export interface VectorQuantizerVariables {
  /** float32 [K, D]; trainable unless `ema`. */
  codebook: tf.Variable;
  /** EMA cluster sizes N, float32 [K] (start at 1; only `update` with `ema` changes them). */
  clusterSize: tf.Variable;
  /** EMA sums m, float32 [K, D] (start at the codebook, so that m / N = codebook). */
  embedSum: tf.Variable;
}

/** A codebook of K vectors of size D with lookup, losses and non-gradient updates. */
export interface VectorQuantizer extends VectorQuantizerVariables, Quantizer {
  readonly kind: 'vq';
  readonly config: Readonly<ResolvedVectorQuantizerConfig>;
  /** Whether `initialize` (k-means) has run. */
  readonly initialized: boolean;
  /** Variables the optimiser should update: `[codebook]`, or `[]` with `ema`. */
  readonly trainableVariables: tf.Variable[];
  /**
   * Nearest-code lookup with losses and metrics: the one place the VQ loss is built.
   * @param z float32 [..., D]
   * @param options `{ beta? }`: the commitment weight of this call (default `config.beta`)
   */
  quantize(z: tf.Tensor, options?: QuantizeOptions): QuantizeResult;
  /** Nearest-code indices only. @param z float32 [..., D] @returns int32 [...] */
  encode(z: tf.Tensor): tf.Tensor;
  /** Code vectors of indices. @param indices int32 [...] @returns float32 [..., D] */
  lookup(indices: tf.Tensor): tf.Tensor;
  /**
   * k-means initialisation of the codebook (and EMA state) from a batch; sets `initialized`.
   * @param z float32 [..., D]
   */
  initialize(z: tf.Tensor): void;
  /**
   * The non-gradient step, to call after the optimiser step: EMA update (with `ema`) then dead-code restarts (with
   * `deadCodeThreshold > 0`). A no-op otherwise.
   * @param z float32 [..., D] the encoder outputs of the batch
   * @param indices int32 [...] their codes (as returned by `quantize`); computed when omitted
   * @returns restarted: int32 scalar, the number of codes restarted (caller disposes)
   */
  update(z: tf.Tensor, indices?: tf.Tensor): { restarted: tf.Scalar };
  getRngState(): RngState;
  setRngState(state: RngState): void;
  /** `initialized` and the random stream's state, to store beside the variables. */
  getState(): VectorQuantizerState;
  /**
   * Restores a state returned by `getState` (of this quantiser or one with the same config).
   * @throws CheckpointError for a malformed state
   */
  setState(state: VectorQuantizerState): void;
  /** Frees the variables (unless they belong to a layer). */
  dispose(): void;
}

/**
 * Creates a vector quantiser owning its variables. The codebook starts uniform in ±√(3/D) (unit variance per
 * component, as Sonnet's uniform unit scaling), seeded by `config.seed`.
 * @example
 * const vq = createVectorQuantizer({ dim: 16, codebookSize: 128 });
 * const { output, indices, loss } = vq.quantize(zE); // [8, 7, 7, 16], int32 [8, 7, 7], scalar
 */
export function createVectorQuantizer(config: VectorQuantizerConfig): VectorQuantizer {
  const resolved = resolveVectorQuantizerConfig(config);
  const inner = innerQuantizerConfig(resolved);
  // tf.variable shares its initial value's data: tidy frees the initial tensors and the variables keep the data.
  const { codebook, clusterSize, embedSum } = tf.tidy(() => {
    const initial = initialCodebook(inner);
    return {
      codebook: tf.variable(initial, !resolved.ema),
      clusterSize: tf.variable(tf.ones([resolved.codebookSize]), false),
      embedSum: tf.variable(initial, false),
    };
  });
  const quantizer = vectorQuantizerFromVariables(inner, { codebook, clusterSize, embedSum }, { owned: true });
  if (resolved.codebookDim === 0) return quantizer;
  const maps = ownedProjection(resolved.dim, resolved.codebookDim, resolved.seed);
  return projectedQuantizer(quantizer, maps, resolved.dim, true);
}

/**
 * Seeded initial codebook, float32 [K, D]: uniform in ±√(3/D), l2-normalised in 'cosine' mode.
 */
export function initialCodebook(config: Readonly<ResolvedVectorQuantizerConfig>): tf.Tensor2D {
  return tf.tidy(() => {
    const limit = Math.sqrt(3 / config.dim);
    const codes = tf.randomUniform([config.codebookSize, config.dim], -limit, limit, 'float32', config.seed);
    return (config.distance === 'cosine' ? l2Normalize(codes) : codes) as tf.Tensor2D;
  });
}

/**
 * Builds the quantiser around existing variables (those of a `VectorQuantizerLayer`, say). Internal.
 * @param options.owned whether `dispose` frees the variables
 * @param options.rng the random stream to draw k-means and restarts from (default: its own, from `config.seed`)
 */
export function vectorQuantizerFromVariables(
  config: Readonly<ResolvedVectorQuantizerConfig>,
  variables: VectorQuantizerVariables,
  options: { owned: boolean; initialized?: boolean; rng?: Rng },
): VectorQuantizer {
  const { codebook, clusterSize, embedSum } = variables;
  const { dim, codebookSize, beta, ema, distance, chunkSize } = config;
  const cosine = distance === 'cosine';
  const rng: Rng = options.rng ?? createRng(config.seed);
  let initialized = options.initialized ?? false;
  const check = (fn: string, z: tf.Tensor) => assertLastDim(fn, z, dim, 'config.dim');
  const flatten = (z: tf.Tensor) => {
    const flat = tf.reshape(z, [-1, dim]) as tf.Tensor2D;
    return cosine ? l2Normalize(flat) : flat;
  };

  return {
    kind: 'vq',
    dim,
    codebookSize,
    config,
    codebook,
    clusterSize,
    embedSum,
    get initialized() {
      return initialized;
    },
    get trainableVariables() {
      return ema ? [] : [codebook];
    },
    quantize(z, options = {}) {
      check('vectorQuantizer.quantize', z);
      const weight = options.beta ?? beta;
      if (options.beta !== undefined) {
        assertNumberInRange('vectorQuantizer.quantize', 'options.beta', options.beta, 0, Number.MAX_VALUE);
      }
      return tf.tidy(() => {
        const encoded = cosine ? l2Normalize(z) : z;
        const codes = (cosine ? l2Normalize(codebook) : codebook) as tf.Tensor2D;
        const indices = nearestCodes(encoded, codes, { chunkSize, fn: 'vectorQuantizer.quantize' });
        const quantized = gatherCodes(codes, indices);
        const codebookLoss = tf.mean(tf.squaredDifference(stopGradient(encoded), quantized)) as tf.Scalar;
        const commitmentLoss = tf.mean(tf.squaredDifference(encoded, stopGradient(quantized))) as tf.Scalar;
        const weighted = tf.mul(commitmentLoss, weight);
        const base = ema ? weighted : tf.add(codebookLoss, weighted);
        const regularised =
          config.orthogonalWeight > 0 ? tf.add(base, tf.mul(orthogonalLoss(codes), config.orthogonalWeight)) : base;
        const loss = regularised as tf.Scalar;
        const counts = codeCounts(indices, codebookSize);
        return {
          quantized,
          indices,
          output: gradientEstimator(config)(encoded, quantized),
          codebookLoss,
          commitmentLoss,
          loss,
          perplexity: perplexityFromCounts(counts),
          usage: usageFromCounts(counts),
        };
      });
    },
    encode(z) {
      check('vectorQuantizer.encode', z);
      return tf.tidy(() =>
        nearestCodes(z, codebook as tf.Tensor2D, { chunkSize, distance, fn: 'vectorQuantizer.encode' }),
      );
    },
    lookup(indices) {
      assertDtype('vectorQuantizer.lookup', 'indices', indices, 'int32');
      return tf.tidy(() => gatherCodes((cosine ? l2Normalize(codebook) : codebook) as tf.Tensor2D, indices));
    },
    initialize(z) {
      check('vectorQuantizer.initialize', z);
      const seed = rng.nextSeed();
      tf.tidy(() => {
        const { centroids, counts } = kmeans(flatten(z), codebookSize, {
          iterations: config.kmeansIterations,
          seed,
          distance,
          chunkSize,
        });
        const sizes = tf.maximum(counts, 1);
        codebook.assign(centroids);
        clusterSize.assign(sizes);
        embedSum.assign(tf.mul(centroids, tf.reshape(sizes, [-1, 1])));
      });
      initialized = true;
    },
    update(z, indices) {
      check('vectorQuantizer.update', z);
      if (indices !== undefined) assertDtype('vectorQuantizer.update', 'indices', indices, 'int32');
      const threshold = config.deadCodeThreshold;
      const seed = threshold > 0 ? rng.nextSeed() : 0;
      return tf.tidy(() => {
        const vectors = flatten(z);
        const codes = tf.reshape(
          indices === undefined ? nearestCodes(vectors, codebook as tf.Tensor2D, { chunkSize, distance }) : indices,
          [-1],
        ) as tf.Tensor1D;
        let sizes = clusterSize as tf.Tensor as tf.Tensor1D;
        let sums = embedSum as tf.Tensor as tf.Tensor2D;
        let next = codebook as tf.Tensor as tf.Tensor2D;
        if (ema) {
          const state = emaCodebookUpdate({ clusterSize: sizes, embedSum: sums }, vectors, codes, config);
          sizes = state.clusterSize;
          sums = state.embedSum;
          next = cosine ? l2Normalize(state.codebook) : state.codebook;
        }
        let restarted = tf.scalar(0, 'int32');
        if (threshold > 0) {
          const usage = ema ? sizes : segmentCounts(codes, codebookSize);
          const reset = restartDeadCodes(next, usage, vectors, { threshold, seed });
          const deadColumn = tf.reshape(reset.dead, [-1, 1]);
          next = reset.codebook;
          if (ema) {
            sizes = tf.where(reset.dead, tf.fill([codebookSize], threshold), sizes) as tf.Tensor1D;
            sums = tf.where(deadColumn, tf.mul(reset.replacements, threshold), sums) as tf.Tensor2D;
          }
          restarted = tf.sum(tf.cast(reset.dead, 'int32')) as tf.Scalar;
        }
        if (ema) {
          clusterSize.assign(sizes);
          embedSum.assign(sums);
        }
        if (ema || threshold > 0) codebook.assign(next);
        return { restarted };
      });
    },
    getRngState: () => rng.getState(),
    setRngState: (state) => rng.setState(state),
    getState: () => ({ initialized, rngState: rng.getState() }),
    setState(state) {
      initialized = restoreQuantizerState('vectorQuantizer.setState', state, rng);
    },
    dispose() {
      if (options.owned) {
        codebook.dispose();
        clusterSize.dispose();
        embedSum.dispose();
      }
    },
  };
}

/**
 * Orthogonal regularisation of a codebook (Shin et al. 2023, "Exploration into Translation-Equivariant Image
 * Quantization"; vector-quantize-pytorch's `orthogonal_reg_weight`): with the codes l2-normalised, the mean squared
 * cosine similarity of every pair, `Σ_ij cos²(e_i, e_j) / K² − 1/K`, which is 0 when the codes are orthogonal (for
 * K ≤ D) and pushes them apart otherwise.
 * @param codebook float32 [K, D]
 * @returns float32 scalar
 */
export function orthogonalLoss(codebook: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const size = codebook.shape[0];
    const unit = l2Normalize(codebook) as tf.Tensor2D;
    const cosine = tf.matMul(unit, unit, false, true);
    return tf.sub(tf.div(tf.sum(tf.square(cosine)), size * size), 1 / size) as tf.Scalar;
  });
}

/** The output of the lookup for the decoder: forward z_q, backward the config's gradient estimator. Internal. */
export function gradientEstimator(
  config: Pick<ResolvedVectorQuantizerConfig, 'gradient'>,
): (encoded: tf.Tensor, quantized: tf.Tensor) => tf.Tensor {
  return config.gradient === 'rotation' ? rotateTo : straightThrough;
}

/**
 * Checks a quantiser state (`{ initialized, rngState }`), sets `rng` to its stream and returns `initialized`.
 * Internal: the quantisers' `setState`.
 * @throws CheckpointError naming the malformed field
 */
export function restoreQuantizerState(fn: string, state: unknown, rng: Rng): boolean {
  const candidate = state as Partial<VectorQuantizerState> | null;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new CheckpointError(formatExpected(fn, 'state', '{ initialized, rngState }', describeValue(state)));
  }
  if (typeof candidate.initialized !== 'boolean') {
    throw new CheckpointError(
      formatExpected(fn, 'state.initialized', 'a boolean', describeValue(candidate.initialized)),
    );
  }
  try {
    rng.setState(candidate.rngState as RngState);
  } catch (error) {
    throw new CheckpointError(`${fn}: invalid state.rngState: ${(error as Error).message}`);
  }
  return candidate.initialized;
}
