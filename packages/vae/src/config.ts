import {
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  ConfigError,
  describeValue,
  formatExpected,
} from '@vaejs/core';

/** Which member of the autoencoder family: plain, denoising, variational, beta-weighted, or label-conditional. */
export type VaeKind = 'ae' | 'dae' | 'vae' | 'beta-vae' | 'cvae';
/** Encoder/decoder body: fully connected (PyTorch examples/vae) or strided convolutions (Keras VAE example). */
export type VaeArch = 'mlp' | 'conv';
/**
 * Reconstruction likelihood p(x|z). `'bernoulli'`: the decoder outputs logits, loss is BCE from logits.
 * `'gaussian'`: the decoder outputs the mean through a sigmoid, fixed variance. `'gaussian-learned'`: as
 * `'gaussian'`, with a learned log-variance weight (scalar or per pixel, see `learnedVariance`).
 */
export type VaeLikelihood = 'bernoulli' | 'gaussian' | 'gaussian-learned';
/** Kernel initialiser (see {@link VaeConfig.init}). */
export type VaeInit = 'glorot' | 'pytorch';
export type VaeActivation = 'relu' | 'elu' | 'selu' | 'tanh' | 'swish';

/** Everything `createVae` accepts. Only `inputShape` and `latentDim` are required. */
export interface VaeConfig {
  /** Image size `[height, width, channels]` (NHWC without the batch axis), values in [0, 1]. */
  inputShape: readonly [number, number, number];
  /** Size of the latent code z. */
  latentDim: number;
  /** Default `'vae'`. */
  kind?: VaeKind;
  /** Default `'conv'`. */
  arch?: VaeArch;
  /** Default `'bernoulli'`. */
  likelihood?: VaeLikelihood;
  /** Shape of the learned log-variance for `likelihood: 'gaussian-learned'`. Default `'scalar'`. */
  learnedVariance?: 'scalar' | 'per-pixel';
  /** KL weight (Higgins et al. 2017). Default 4 for `kind: 'beta-vae'`, 1 otherwise; ignored by `'ae'`/`'dae'`. */
  beta?: number;
  /** Number of classes of the labels, required (≥ 2) for `kind: 'cvae'`, must be 0 otherwise. */
  numClasses?: number;
  /** MLP hidden layer sizes, encoder order (the decoder mirrors them). Default `[400]`. */
  hidden?: number | readonly number[];
  /** Conv filters of the stride-2 layers, encoder order (the decoder mirrors them). Default `[32, 64]`. */
  filters?: readonly number[];
  /** Conv kernel size. Default 4 (divisible by the stride: no checkerboard in the transposed convs). */
  kernelSize?: number;
  /** Units of the dense layer between the conv stack and the latent heads (0 = none). Default 256. */
  denseUnits?: number;
  /** Hidden activation. Default `'relu'`. */
  activation?: VaeActivation;
  /**
   * Initialiser: `'glorot'` (Keras' default: kernels U(±√(6/(fan_in+fan_out))), biases 0) or `'pytorch'` (the
   * default of PyTorch's nn.Linear/nn.Conv2d, which the PyTorch examples train with: kernels and biases
   * U(±1/√fan_in)). Default `'glorot'`.
   */
  init?: VaeInit;
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
}

/** A config with every default filled in; what `vae.config` holds (frozen) and what checkpoints store. */
export interface ResolvedVaeConfig {
  readonly inputShape: readonly [number, number, number];
  readonly latentDim: number;
  readonly kind: VaeKind;
  readonly arch: VaeArch;
  readonly likelihood: VaeLikelihood;
  readonly learnedVariance: 'scalar' | 'per-pixel';
  readonly beta: number;
  readonly numClasses: number;
  readonly hidden: readonly number[];
  readonly filters: readonly number[];
  readonly kernelSize: number;
  readonly denseUnits: number;
  readonly activation: VaeActivation;
  readonly init: VaeInit;
  readonly seed: number;
}

/** Defaults of every optional field (`beta` depends on `kind`, see {@link VaeConfig.beta}). */
export const DEFAULT_VAE_CONFIG = Object.freeze({
  kind: 'vae',
  arch: 'conv',
  likelihood: 'bernoulli',
  learnedVariance: 'scalar',
  numClasses: 0,
  hidden: Object.freeze([400]),
  filters: Object.freeze([32, 64]),
  kernelSize: 4,
  denseUnits: 256,
  activation: 'relu',
  init: 'glorot',
  seed: 0,
} as const);

const KINDS: readonly VaeKind[] = ['ae', 'dae', 'vae', 'beta-vae', 'cvae'];
const ARCHS: readonly VaeArch[] = ['mlp', 'conv'];
const LIKELIHOODS: readonly VaeLikelihood[] = ['bernoulli', 'gaussian', 'gaussian-learned'];
const INITS: readonly VaeInit[] = ['glorot', 'pytorch'];
const ACTIVATIONS: readonly VaeActivation[] = ['relu', 'elu', 'selu', 'tanh', 'swish'];
const KEYS = [
  'inputShape',
  'latentDim',
  'kind',
  'arch',
  'likelihood',
  'learnedVariance',
  'beta',
  'numClasses',
  'hidden',
  'filters',
  'kernelSize',
  'denseUnits',
  'activation',
  'init',
  'seed',
] as const;

/** True for the kinds with a Gaussian posterior q(z|x) and a KL term. */
export function isVariational(kind: VaeKind): boolean {
  return kind === 'vae' || kind === 'beta-vae' || kind === 'cvae';
}

/**
 * Merges `config` with {@link DEFAULT_VAE_CONFIG}, validates every field and returns a frozen copy.
 * @throws ConfigError naming the field, e.g. `createVae: expected config.latentDim a positive integer, got 0.`
 * @example resolveVaeConfig({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp' }).hidden // [400]
 */
export function resolveVaeConfig(config: VaeConfig, fn = 'createVae'): ResolvedVaeConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', 'an object', describeValue(config)));
  }
  const unknown = Object.keys(config).filter((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(formatExpected(fn, 'config keys', `among ${KEYS.join(', ')}`, `'${unknown.join("', '")}'`));
  }
  const shape = config.inputShape as unknown;
  const shapeValid =
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0);
  if (!shapeValid) {
    const actual = Array.isArray(shape) ? `[${shape.map(describeValue).join(',')}]` : describeValue(shape);
    throw new ConfigError(
      formatExpected(fn, 'config.inputShape', '[height, width, channels] of positive integers', actual),
    );
  }
  assertPositiveInt(fn, 'config.latentDim', config.latentDim);
  const kind = config.kind ?? DEFAULT_VAE_CONFIG.kind;
  assertOneOf(fn, 'config.kind', kind, KINDS);
  const arch = config.arch ?? DEFAULT_VAE_CONFIG.arch;
  assertOneOf(fn, 'config.arch', arch, ARCHS);
  const likelihood = config.likelihood ?? DEFAULT_VAE_CONFIG.likelihood;
  assertOneOf(fn, 'config.likelihood', likelihood, LIKELIHOODS);
  const learnedVariance = config.learnedVariance ?? DEFAULT_VAE_CONFIG.learnedVariance;
  assertOneOf(fn, 'config.learnedVariance', learnedVariance, ['scalar', 'per-pixel'] as const);
  const beta = config.beta ?? (kind === 'beta-vae' ? 4 : 1);
  assertNumberInRange(fn, 'config.beta', beta, 0, Number.MAX_VALUE);
  const numClasses = config.numClasses ?? (kind === 'cvae' ? undefined : 0);
  if (kind === 'cvae') {
    assertPositiveInt(fn, 'config.numClasses', numClasses, 2);
  } else if (numClasses !== 0) {
    throw new ConfigError(
      formatExpected(fn, 'config.numClasses', "0 unless config.kind is 'cvae'", describeValue(numClasses)),
    );
  }
  const hiddenInput = config.hidden ?? DEFAULT_VAE_CONFIG.hidden;
  const hidden = typeof hiddenInput === 'number' ? [hiddenInput] : hiddenInput;
  assertIntList(fn, 'config.hidden', hidden);
  const filters = config.filters ?? DEFAULT_VAE_CONFIG.filters;
  assertIntList(fn, 'config.filters', filters);
  if (filters.length === 0) {
    throw new ConfigError(formatExpected(fn, 'config.filters', 'at least one layer', 'an array of 0'));
  }
  const kernelSize = config.kernelSize ?? DEFAULT_VAE_CONFIG.kernelSize;
  assertPositiveInt(fn, 'config.kernelSize', kernelSize);
  const denseUnits = config.denseUnits ?? DEFAULT_VAE_CONFIG.denseUnits;
  assertPositiveInt(fn, 'config.denseUnits', denseUnits, 0);
  const activation = config.activation ?? DEFAULT_VAE_CONFIG.activation;
  assertOneOf(fn, 'config.activation', activation, ACTIVATIONS);
  const init = config.init ?? DEFAULT_VAE_CONFIG.init;
  assertOneOf(fn, 'config.init', init, INITS);
  const seed = config.seed ?? DEFAULT_VAE_CONFIG.seed;
  assertPositiveInt(fn, 'config.seed', seed, 0);
  return Object.freeze({
    inputShape: Object.freeze([...(shape as number[])]) as unknown as readonly [number, number, number],
    latentDim: config.latentDim,
    kind,
    arch,
    likelihood,
    learnedVariance,
    beta,
    numClasses: numClasses as number,
    hidden: Object.freeze([...hidden]),
    filters: Object.freeze([...filters]),
    kernelSize,
    denseUnits,
    activation,
    init,
    seed,
  });
}

// helpers

function assertIntList(fn: string, argument: string, value: unknown): asserts value is readonly number[] {
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)) {
    const actual = Array.isArray(value) ? `[${value.map(describeValue).join(',')}]` : describeValue(value);
    throw new ConfigError(formatExpected(fn, argument, 'an array of positive integers', actual));
  }
}
