import { assertNumberInRange, assertOneOf, assertPositiveInt, ConfigError, formatExpected } from '@vaejs/core';

/** How codes are compared: squared Euclidean distance, or cosine similarity of l2-normalised vectors. */
export type CodebookDistance = 'euclidean' | 'cosine';

/**
 * How the encoder gets a gradient through the lookup: `'straight-through'` copies the decoder's gradient (van den
 * Oord et al.), `'rotation'` rotates and rescales it by the angle and lengths of z_e and its code (the rotation
 * trick, Fifty et al. 2024; see rotation-trick.ts).
 */
export type QuantizerGradient = 'straight-through' | 'rotation';

/**
 * Every setting of a vector quantiser, defaults filled in: what `vq.config` holds (frozen).
 * {@link VectorQuantizerConfig} is what `createVectorQuantizer` accepts.
 */
export interface ResolvedVectorQuantizerConfig {
  /** D, size of each code vector (the last dimension of z). */
  dim: number;
  /** K, number of codes. */
  codebookSize: number;
  /** Weight of the commitment loss `||z_e - sg(z_q)||²` (van den Oord et al. use 0.25). */
  beta: number;
  /** Update the codebook by exponential moving averages (Razavi et al. 2019) instead of the codebook loss. */
  ema: boolean;
  /** EMA decay γ in (0, 1). */
  decay: number;
  /** Laplace smoothing ε of the EMA cluster sizes. */
  epsilon: number;
  /**
   * Restart a code from a batch vector when its usage falls under this value: its EMA cluster size when `ema`,
   * else its count in the batch. 0 disables restarts.
   */
  deadCodeThreshold: number;
  /** Initialise the codebook by k-means on the first batch passed to `initialize` (the VQ-VAE does it itself). */
  kmeansInit: boolean;
  /** Lloyd iterations of the k-means initialisation. */
  kmeansIterations: number;
  /** 'cosine' l2-normalises inputs and codebook before lookup (Yu et al. 2021; vector-quantize-pytorch). */
  distance: CodebookDistance;
  /**
   * Weight of the orthogonal regularisation of the codebook (`orthogonalLoss`), added to `loss`; 0 (the default)
   * turns it off. Needs a codebook learnt by gradient (not `ema`).
   */
  orthogonalWeight: number;
  /** The gradient estimator through the lookup (default `'straight-through'`). */
  gradient: QuantizerGradient;
  /**
   * d, the size of the codes when they live in a lower dimension than z (learnt linear maps D → d before the lookup
   * and d → D after it; see projection.ts); 0 (the default): the codes have size D, no maps.
   */
  codebookDim: number;
  /** Positions per [positions, K] distance matrix; larger inputs are processed in chunks of this many rows. */
  chunkSize: number;
  /** Seed of the codebook initialisation, k-means and restarts. */
  seed: number;
}

/**
 * What `createVectorQuantizer` accepts: the sizes `dim` and `codebookSize`, plus any setting to override
 * ({@link DEFAULT_VECTOR_QUANTIZER_CONFIG} fills the rest).
 */
export type VectorQuantizerConfig = Pick<ResolvedVectorQuantizerConfig, 'dim' | 'codebookSize'> &
  Partial<Omit<ResolvedVectorQuantizerConfig, 'dim' | 'codebookSize'>>;

/** @deprecated The former name of {@link VectorQuantizerConfig} (the input type). */
export type VectorQuantizerConfigInput = VectorQuantizerConfig;

/** Defaults of every optional setting. */
export const DEFAULT_VECTOR_QUANTIZER_CONFIG: Readonly<Omit<ResolvedVectorQuantizerConfig, 'dim' | 'codebookSize'>> =
  Object.freeze({
    beta: 0.25,
    ema: false,
    decay: 0.99,
    epsilon: 1e-5,
    deadCodeThreshold: 0,
    kmeansInit: false,
    kmeansIterations: 10,
    distance: 'euclidean',
    orthogonalWeight: 0,
    gradient: 'straight-through',
    codebookDim: 0,
    chunkSize: 4096,
    seed: 0,
  });

const KNOWN_KEYS = new Set(['dim', 'codebookSize', ...Object.keys(DEFAULT_VECTOR_QUANTIZER_CONFIG)]);

/**
 * Merges defaults into `config`, validates every field and returns a frozen copy.
 * @throws ConfigError for a missing size, an unknown key or a value out of its domain.
 * @example resolveVectorQuantizerConfig({ dim: 16, codebookSize: 128 }).beta // 0.25
 */
export function resolveVectorQuantizerConfig(
  config: VectorQuantizerConfig,
  fn = 'createVectorQuantizer',
  prefix = 'config',
): Readonly<ResolvedVectorQuantizerConfig> {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, prefix, 'an object', String(config)));
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(formatExpected(fn, prefix, 'known keys only', `'${key}'`));
  }
  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULT_VECTOR_QUANTIZER_CONFIG, ...defined } as ResolvedVectorQuantizerConfig;
  assertPositiveInt(fn, `${prefix}.dim`, resolved.dim);
  assertPositiveInt(fn, `${prefix}.codebookSize`, resolved.codebookSize);
  assertNumberInRange(fn, `${prefix}.beta`, resolved.beta, 0, Number.MAX_VALUE);
  if (typeof resolved.ema !== 'boolean') {
    throw new ConfigError(formatExpected(fn, `${prefix}.ema`, 'a boolean', String(resolved.ema)));
  }
  if (typeof resolved.kmeansInit !== 'boolean') {
    throw new ConfigError(formatExpected(fn, `${prefix}.kmeansInit`, 'a boolean', String(resolved.kmeansInit)));
  }
  assertNumberInRange(fn, `${prefix}.decay`, resolved.decay, 0, 1);
  if (resolved.decay === 0 || resolved.decay === 1) {
    throw new ConfigError(formatExpected(fn, `${prefix}.decay`, 'a number in (0, 1)', String(resolved.decay)));
  }
  assertNumberInRange(fn, `${prefix}.epsilon`, resolved.epsilon, 0, Number.MAX_VALUE);
  assertNumberInRange(fn, `${prefix}.deadCodeThreshold`, resolved.deadCodeThreshold, 0, Number.MAX_VALUE);
  assertPositiveInt(fn, `${prefix}.kmeansIterations`, resolved.kmeansIterations, 0);
  assertOneOf(fn, `${prefix}.distance`, resolved.distance, ['euclidean', 'cosine'] as const);
  assertOneOf(fn, `${prefix}.gradient`, resolved.gradient, ['straight-through', 'rotation'] as const);
  assertNumberInRange(fn, `${prefix}.orthogonalWeight`, resolved.orthogonalWeight, 0, Number.MAX_VALUE);
  assertPositiveInt(fn, `${prefix}.codebookDim`, resolved.codebookDim, 0);
  if (resolved.orthogonalWeight > 0 && resolved.ema) {
    const why = '0 with ema (the EMA codebook takes no gradient)';
    throw new ConfigError(formatExpected(fn, `${prefix}.orthogonalWeight`, why, String(resolved.orthogonalWeight)));
  }
  assertPositiveInt(fn, `${prefix}.chunkSize`, resolved.chunkSize);
  if (typeof resolved.seed !== 'number' || !Number.isInteger(resolved.seed)) {
    throw new ConfigError(formatExpected(fn, `${prefix}.seed`, 'an integer', String(resolved.seed)));
  }
  return Object.freeze(resolved);
}

/** The config of the quantiser behind the maps when `codebookDim` > 0: codes of size d, no further maps. */
export function innerQuantizerConfig(
  config: Readonly<ResolvedVectorQuantizerConfig>,
): Readonly<ResolvedVectorQuantizerConfig> {
  return config.codebookDim > 0 ? Object.freeze({ ...config, dim: config.codebookDim, codebookDim: 0 }) : config;
}
