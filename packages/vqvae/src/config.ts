import {
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  ConfigError,
  describeValue,
  formatExpected,
} from '@vaejs/core';
import { checkFsqLevels } from './fsq';
import { DEFAULT_LFQ_SETTINGS, LFQ_MAX_DIM, type LfqSettings, resolveLfqSettings } from './lfq';
import type { QuantizerKind } from './quantizer';
import {
  DEFAULT_VECTOR_QUANTIZER_CONFIG,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
} from './quantizer-config';
import type { ResidualSettings } from './residual-vq';

/**
 * Quantiser settings of a VQ-VAE: its kind, FSQ's levels, and the classic quantiser's settings (everything but the
 * sizes and the seed, which the VQ-VAE config gives).
 */
export type VqVaeQuantizerConfig = Omit<ResolvedVectorQuantizerConfig, 'dim' | 'codebookSize' | 'seed'> & {
  /**
   * `'vq'` (nearest code, the default), `'fsq'` (finite scalar quantisation: `levels`, no codebook to learn) or
   * `'lfq'` (lookup-free: the sign of each of D channels, K = 2^D, with an entropy penalty) or `'rvq'` (residual:
   * `numQuantizers` classic quantisers of K codes, each on what the levels before it left).
   */
  kind: QuantizerKind;
  /** FSQ's levels per channel (length D, product K), e.g. [8, 4, 4]; empty for the other kinds. */
  levels: readonly number[];
} & Omit<LfqSettings, 'beta'> &
  ResidualSettings;

/**
 * What `createVqVae` accepts. The sizes are required — the image shape, D and K — and everything else has a default
 * ({@link DEFAULT_VQVAE_CONFIG}: the Keras example's MNIST model, conv 32 and 64 k3 s2 then a 1×1 conv to D).
 */
export interface VqVaeConfig {
  /** Image shape [height, width, channels]; height and width divisible by 2^encoderFilters.length. */
  inputShape: readonly [number, number, number];
  /** D, size of each code vector (the Keras example: 16). */
  dim: number;
  /** K, number of codes (the Keras example: 128). */
  codebookSize: number;
  /** Filters of the stride-2, ReLU encoder convolutions (a 1×1 conv to D follows). Default `[32, 64]`. */
  encoderFilters?: readonly number[];
  /** Filters of the stride-2 ReLU transposed convolutions of the decoder. Default: encoderFilters reversed. */
  decoderFilters?: readonly number[] | null;
  /**
   * Width of a learnt linear map (a 1×1 convolution, layer `dec_project`) from the quantised code map to the decoder's
   * first layer: the FSQ paper's projection back up from its few channels. The map is linear, so when it is not
   * narrower than D it adds almost no function the decoder could not compute without it (a 1×1 map then a transposed
   * convolution is one transposed convolution, but for the map's bias at the borders); narrower, it narrows the
   * decoder's input. The decoder trains better through it: FSQ [8, 4, 4] on Fashion-MNIST reached an 11 % lower test
   * MSE with it, every code in use (3 seeds; the vqvae README). 0 for none. Default null: `decoderFilters[0]` with
   * kind `'fsq'`, 0 with every other kind.
   */
  codeProjection?: number | null;
  /** Kernel size of every encoder and decoder convolution but the 1×1 one. Default 3. */
  kernelSize?: number;
  /** Decoder output: `'sigmoid'` (values in (0, 1), the default) or `'linear'` (as in the Keras example). */
  outputActivation?: 'sigmoid' | 'linear';
  /**
   * The reconstruction term of the loss is `MSE per pixel / dataVariance` (van den Oord et al.'s Sonnet example and
   * the Keras example divide by the training-set variance; see {@link pixelVariance}). Default 1 (plain MSE).
   */
  dataVariance?: number;
  /**
   * The mean pixel value of the training images (in the images' range, e.g. ≈ 0.1307 for MNIST scaled to [0, 1]; see
   * `datasetPixelMean` of `@vaejs/datasets`), or null. When given, the decoder's output starts at it: the output
   * layer's bias is initialised to `logit(dataMean)` under the sigmoid output (the mean clamped to [0.001, 0.999]),
   * to `dataMean` under the linear one. Training then does not begin by pulling every output towards the mean
   * through the codes, a pull that drives a bounded quantiser's channels (FSQ's tanh) into saturation, where they
   * stay. Only the initial weights change. Default null (bias 0).
   */
  dataMean?: number | null;
  /** Quantiser settings (beta, ema, decay, epsilon, deadCodeThreshold, kmeansInit, distance, ...), merged by field. */
  quantizer?: Partial<VqVaeQuantizerConfig>;
  /** Seed of the weight initialisation and of the quantiser. Default 0. */
  seed?: number;
}

/** @deprecated The former name of {@link VqVaeConfig} (the input type). */
export type VqVaeConfigInput = VqVaeConfig;

/** A config with every default filled in: what `vqvae.config` holds (frozen) and what a checkpoint stores. */
export interface ResolvedVqVaeConfig {
  readonly inputShape: readonly [number, number, number];
  readonly dim: number;
  readonly codebookSize: number;
  readonly encoderFilters: readonly number[];
  readonly decoderFilters: readonly number[];
  /** Width of the decoder's first, linear 1×1 map (`dec_project`); 0 for none. */
  readonly codeProjection: number;
  readonly kernelSize: number;
  readonly outputActivation: 'sigmoid' | 'linear';
  readonly dataVariance: number;
  readonly dataMean: number | null;
  readonly quantizer: Readonly<VqVaeQuantizerConfig>;
  readonly seed: number;
}

/** The residual settings of every kind but `'rvq'`. */
const NOT_RESIDUAL: ResidualSettings = Object.freeze({
  numQuantizers: 1,
  sharedCodebook: false,
  quantizerDropout: false,
});

/** Defaults of every optional setting (`decoderFilters: null` means encoderFilters reversed). */
export const DEFAULT_VQVAE_CONFIG: Readonly<Required<Omit<VqVaeConfig, 'inputShape' | 'dim' | 'codebookSize'>>> =
  Object.freeze({
    encoderFilters: Object.freeze([32, 64]),
    decoderFilters: null,
    codeProjection: null,
    kernelSize: 3,
    outputActivation: 'sigmoid' as const,
    dataVariance: 1,
    dataMean: null,
    quantizer: Object.freeze({
      kind: 'vq' as QuantizerKind,
      levels: Object.freeze([]) as readonly number[],
      ...lfqOnly(DEFAULT_LFQ_SETTINGS),
      ...NOT_RESIDUAL,
      ...withoutSeed(DEFAULT_VECTOR_QUANTIZER_CONFIG),
    }),
    seed: 0,
  });

const SIZES = ['inputShape', 'dim', 'codebookSize'] as const;
const KNOWN_KEYS = new Set<string>([...SIZES, ...Object.keys(DEFAULT_VQVAE_CONFIG)]);

/**
 * The sizes a quantiser of `kind` has: FSQ's from its levels (one channel per level, their product of codes), LFQ's
 * from its codebook (D = log2 K bits per code), vq's and rvq's `dim` and `codebookSize` as given. Sizes that do not
 * fit their kind (an LFQ codebook that is not a power of two) are left for {@link resolveVqVaeConfig} to refuse.
 * @example quantizerSizes('fsq', { dim: 16, codebookSize: 128, levels: [8, 5, 5, 5] }) // { dim: 4, codebookSize: 1000 }
 */
export function quantizerSizes(
  kind: QuantizerKind,
  sizes: { dim: number; codebookSize: number; levels?: readonly number[] },
): { dim: number; codebookSize: number } {
  const { dim, codebookSize, levels = [] } = sizes;
  if (kind === 'fsq') return { dim: levels.length, codebookSize: levels.reduce((a, b) => a * b, 1) };
  if (kind === 'lfq') return { dim: Math.log2(codebookSize), codebookSize };
  return { dim, codebookSize };
}

/**
 * Merges defaults into `config`, validates it and returns a frozen copy (arrays and `quantizer` frozen too).
 * @throws ConfigError naming the field, e.g. `createVqVae: expected config.inputShape height divisible by 4 (2^2 stride-2 layers), got 30.`
 * @example resolveVqVaeConfig({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128 }).decoderFilters // [64, 32]
 */
export function resolveVqVaeConfig(config: VqVaeConfig, fn = 'createVqVae'): ResolvedVqVaeConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', 'an object', describeValue(config)));
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(formatExpected(fn, 'config', 'known keys only', `'${key}'`));
  }
  for (const key of SIZES) {
    if (config[key] === undefined) {
      throw new ConfigError(formatExpected(fn, `config.${key}`, 'a value (a required size)', 'none'));
    }
  }
  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  const merged = { ...DEFAULT_VQVAE_CONFIG, ...defined } as Required<VqVaeConfig>;
  const { inputShape, encoderFilters } = merged;
  if (!Array.isArray(inputShape) || inputShape.length !== 3) {
    throw new ConfigError(formatExpected(fn, 'config.inputShape', '[height, width, channels]', String(inputShape)));
  }
  inputShape.forEach((size, axis) => {
    assertPositiveInt(fn, `config.inputShape[${axis}]`, size);
  });
  if (!Array.isArray(encoderFilters) || encoderFilters.length === 0) {
    throw new ConfigError(formatExpected(fn, 'config.encoderFilters', 'a non-empty array', String(encoderFilters)));
  }
  encoderFilters.forEach((filters, i) => {
    assertPositiveInt(fn, `config.encoderFilters[${i}]`, filters);
  });
  const decoderFilters = merged.decoderFilters ?? [...encoderFilters].reverse();
  if (!Array.isArray(decoderFilters) || decoderFilters.length !== encoderFilters.length) {
    throw new ConfigError(
      formatExpected(
        fn,
        'config.decoderFilters',
        `${encoderFilters.length} entries (as encoderFilters)`,
        Array.isArray(decoderFilters) ? `${decoderFilters.length}` : String(decoderFilters),
      ),
    );
  }
  decoderFilters.forEach((filters, i) => {
    assertPositiveInt(fn, `config.decoderFilters[${i}]`, filters);
  });
  const factor = 2 ** encoderFilters.length;
  (['height', 'width'] as const).forEach((name, axis) => {
    const size = inputShape[axis] as number;
    if (size % factor !== 0) {
      const why = `${factor} (2^${encoderFilters.length} stride-2 layers)`;
      throw new ConfigError(formatExpected(fn, `config.inputShape ${name}`, `divisible by ${why}`, String(size)));
    }
  });
  assertPositiveInt(fn, 'config.kernelSize', merged.kernelSize);
  assertOneOf(fn, 'config.outputActivation', merged.outputActivation, ['sigmoid', 'linear'] as const);
  assertNumberInRange(fn, 'config.dataVariance', merged.dataVariance, Number.MIN_VALUE, Number.MAX_VALUE);
  if (merged.dataMean !== null && !(typeof merged.dataMean === 'number' && Number.isFinite(merged.dataMean))) {
    throw new ConfigError(
      formatExpected(fn, 'config.dataMean', 'a finite number or null', describeValue(merged.dataMean)),
    );
  }
  const quantizerInput = (config.quantizer ?? {}) as Record<string, unknown>;
  if (typeof quantizerInput !== 'object' || quantizerInput === null) {
    throw new ConfigError(formatExpected(fn, 'config.quantizer', 'an object', describeValue(quantizerInput)));
  }
  for (const key of ['dim', 'codebookSize', 'seed']) {
    if (key in quantizerInput) {
      throw new ConfigError(formatExpected(fn, 'config.quantizer', `no '${key}' (set config.${key})`, `'${key}'`));
    }
  }
  assertPositiveInt(fn, 'config.dim', merged.dim);
  assertPositiveInt(fn, 'config.codebookSize', merged.codebookSize);
  if (!Number.isInteger(merged.seed)) {
    throw new ConfigError(formatExpected(fn, 'config.seed', 'an integer', String(merged.seed)));
  }
  const { kind = 'vq', levels = [], entropyWeight, diversity, temperature, ...rest } = quantizerInput;
  const { numQuantizers, sharedCodebook, quantizerDropout, ...classic } = rest;
  assertOneOf(fn, 'config.quantizer.kind', kind, ['vq', 'fsq', 'lfq', 'rvq'] as const);
  const residual = resolveResidualSettings(fn, kind, {
    numQuantizers,
    sharedCodebook,
    quantizerDropout,
  } as Partial<ResidualSettings>);
  const quantizer = resolveVectorQuantizerConfig(
    { ...classic, dim: merged.dim, codebookSize: merged.codebookSize, seed: merged.seed },
    fn,
    'config.quantizer',
  );
  const lfq = lfqOnly(
    resolveLfqSettings(fn, 'config.quantizer', { entropyWeight, diversity, temperature } as Partial<LfqSettings>),
  );
  checkQuantizerKind(fn, kind, levels, quantizer, lfq, residual);
  const codeProjection = merged.codeProjection ?? (kind === 'fsq' ? (decoderFilters[0] as number) : 0);
  if (!Number.isInteger(codeProjection) || codeProjection < 0) {
    throw new ConfigError(
      formatExpected(fn, 'config.codeProjection', 'an integer ≥ 0 or null', describeValue(merged.codeProjection)),
    );
  }
  const { dim: _dim, codebookSize: _size, ...quantizerOnly } = quantizer;
  return Object.freeze({
    inputShape: Object.freeze([...inputShape]) as unknown as readonly [number, number, number],
    dim: merged.dim,
    codebookSize: merged.codebookSize,
    encoderFilters: Object.freeze([...encoderFilters]),
    decoderFilters: Object.freeze([...decoderFilters]),
    codeProjection,
    kernelSize: merged.kernelSize,
    outputActivation: merged.outputActivation,
    dataVariance: merged.dataVariance,
    dataMean: merged.dataMean,
    quantizer: Object.freeze({
      kind,
      levels: Object.freeze([...(levels as number[])]),
      ...lfq,
      ...residual,
      ...withoutSeed(quantizerOnly),
    }),
    seed: merged.seed,
  });
}

/** The classic quantiser's codebook settings, with the value that means "off" (FSQ and LFQ have no use for them). */
const VQ_ONLY = {
  ema: false,
  kmeansInit: false,
  deadCodeThreshold: 0,
  distance: 'euclidean',
  gradient: 'straight-through',
};

/**
 * Each kind's own settings, and none of another's: FSQ's levels give D and K; LFQ's D bits give K = 2^D; the
 * codebook settings are the classic quantiser's, the entropy settings LFQ's.
 * @throws ConfigError naming the field
 */
function checkQuantizerKind(
  fn: string,
  kind: QuantizerKind,
  levels: unknown,
  quantizer: Readonly<ResolvedVectorQuantizerConfig>,
  lfq: Omit<LfqSettings, 'beta'>,
  residual: ResidualSettings,
): void {
  if (kind !== 'fsq' && (!Array.isArray(levels) || levels.length > 0)) {
    const got = Array.isArray(levels) ? `[${levels.join(', ')}]` : describeValue(levels);
    throw new ConfigError(
      formatExpected(fn, 'config.quantizer.levels', `none with kind '${kind}' (levels are FSQ's)`, got),
    );
  }
  if (kind !== 'lfq') refuseSettings(fn, kind, lfq, lfqOnly(DEFAULT_LFQ_SETTINGS), "LFQ's entropy penalty");
  if (kind !== 'rvq') refuseSettings(fn, kind, residual, NOT_RESIDUAL, "residual VQ's levels");
  if (kind === 'rvq') {
    refuseSettings(
      fn,
      kind,
      { distance: quantizer.distance },
      { distance: 'euclidean' },
      'residuals of Euclidean codes',
    );
    return;
  }
  if (kind === 'vq') return;
  refuseSettings(fn, kind, quantizer, VQ_ONLY, 'no codebook to learn');
  if (kind === 'fsq') checkFsqSizes(fn, levels, quantizer);
  else checkLfqSizes(fn, quantizer);
}

/** Refuses a setting of `settings` that is not its value in `off`. */
function refuseSettings(fn: string, kind: QuantizerKind, settings: object, off: object, why: string): void {
  for (const [key, value] of Object.entries(off)) {
    const given = (settings as Record<string, unknown>)[key];
    if (given !== value) {
      const expected = `${JSON.stringify(value)} with kind '${kind}' (${why})`;
      throw new ConfigError(formatExpected(fn, `config.quantizer.${key}`, expected, JSON.stringify(given)));
    }
  }
}

function checkFsqSizes(fn: string, levels: unknown, quantizer: Readonly<ResolvedVectorQuantizerConfig>): void {
  const product = checkFsqLevels(fn, 'config.quantizer.levels', levels);
  const count = (levels as number[]).length;
  if (quantizer.dim !== count) {
    throw new ConfigError(formatExpected(fn, 'config.dim', `${count} (one channel per FSQ level)`, `${quantizer.dim}`));
  }
  if (quantizer.codebookSize !== product) {
    const why = `${product} (the product of quantizer.levels [${(levels as number[]).join(', ')}])`;
    throw new ConfigError(formatExpected(fn, 'config.codebookSize', why, `${quantizer.codebookSize}`));
  }
}

function checkLfqSizes(fn: string, quantizer: Readonly<ResolvedVectorQuantizerConfig>): void {
  if (quantizer.dim > LFQ_MAX_DIM) {
    throw new ConfigError(
      formatExpected(fn, 'config.dim', `at most ${LFQ_MAX_DIM} with kind 'lfq' (2^D codes)`, `${quantizer.dim}`),
    );
  }
  if (quantizer.codebookSize !== 2 ** quantizer.dim) {
    const why = `${2 ** quantizer.dim} (2^dim with kind 'lfq')`;
    throw new ConfigError(formatExpected(fn, 'config.codebookSize', why, `${quantizer.codebookSize}`));
  }
}

/**
 * Residual VQ's settings: `numQuantizers` (default 2 with kind 'rvq', else 1), `sharedCodebook`, `quantizerDropout`.
 * @throws ConfigError naming the field
 */
function resolveResidualSettings(fn: string, kind: QuantizerKind, given: Partial<ResidualSettings>): ResidualSettings {
  const numQuantizers = given.numQuantizers ?? (kind === 'rvq' ? 2 : 1);
  assertPositiveInt(fn, 'config.quantizer.numQuantizers', numQuantizers);
  for (const key of ['sharedCodebook', 'quantizerDropout'] as const) {
    const value = given[key] ?? false;
    if (typeof value !== 'boolean') {
      throw new ConfigError(formatExpected(fn, `config.quantizer.${key}`, 'a boolean', describeValue(value)));
    }
  }
  return {
    numQuantizers,
    sharedCodebook: given.sharedCodebook ?? false,
    quantizerDropout: given.quantizerDropout ?? false,
  };
}

/** LFQ's settings but the commitment weight, which is the shared `beta`. */
function lfqOnly(settings: Readonly<LfqSettings>): Omit<LfqSettings, 'beta'> {
  const { beta: _beta, ...rest } = settings;
  return rest;
}

// helpers

function withoutSeed<T extends { seed: number }>(settings: T): Omit<T, 'seed'> {
  const { seed: _seed, ...rest } = settings;
  return rest;
}
