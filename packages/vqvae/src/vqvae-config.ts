import { assertNumberInRange, assertOneOf, assertPositiveInt, ConfigError, formatExpected } from '@vaejs/core';
import { resolveVectorQuantizerConfig, type VectorQuantizerConfig } from './quantizer-config';

/** Quantiser settings of a VQ-VAE: everything but the sizes, which the VQ-VAE config gives. */
export type VqVaeQuantizerConfig = Omit<VectorQuantizerConfig, 'dim' | 'codebookSize' | 'seed'>;

/** Settings of a VQ-VAE. Every field has a default ({@link DEFAULT_VQVAE_CONFIG}): the Keras example's MNIST model. */
export interface VqVaeConfig {
  /** Image shape [height, width, channels]; height and width divisible by 2^encoderFilters.length. */
  inputShape: [number, number, number];
  /** D, size of each code vector. */
  dim: number;
  /** K, number of codes. */
  codebookSize: number;
  /** Filters of the stride-2, kernel-3, ReLU encoder convolutions (a 1×1 conv to D follows). */
  encoderFilters: number[];
  /** Filters of the stride-2 ReLU transposed convolutions of the decoder; default: encoderFilters reversed. */
  decoderFilters: number[] | null;
  /** Kernel size of every encoder and decoder convolution but the 1×1 one. */
  kernelSize: number;
  /** Decoder output: 'sigmoid' (values in (0, 1)) or 'linear' (as in the Keras example). */
  outputActivation: 'sigmoid' | 'linear';
  /**
   * The reconstruction term of the loss is `MSE per pixel / dataVariance` (van den Oord et al.'s Sonnet example and
   * the Keras example divide by the training-set variance; see {@link pixelVariance}). 1 leaves it as is.
   */
  dataVariance: number;
  /** Quantiser settings (beta, ema, decay, epsilon, deadCodeThreshold, kmeansInit, distance, ...). */
  quantizer: VqVaeQuantizerConfig;
  /** Seed of the weight initialisation and of the quantiser. */
  seed: number;
}

/** What `createVqVae` accepts: any subset, `quantizer` merged field by field. */
export type VqVaeConfigInput = Partial<Omit<VqVaeConfig, 'quantizer'>> & { quantizer?: Partial<VqVaeQuantizerConfig> };

/** Defaults: 28×28×1 input, encoder conv 32 and 64 (k3 s2 ReLU) then 1×1 conv to D = 16, K = 128 codes. */
export const DEFAULT_VQVAE_CONFIG: Readonly<Omit<VqVaeConfig, 'quantizer'>> = Object.freeze({
  inputShape: [28, 28, 1] as [number, number, number],
  dim: 16,
  codebookSize: 128,
  encoderFilters: [32, 64],
  decoderFilters: null,
  kernelSize: 3,
  outputActivation: 'sigmoid' as const,
  dataVariance: 1,
  seed: 0,
});

const KNOWN_KEYS = new Set([...Object.keys(DEFAULT_VQVAE_CONFIG), 'quantizer']);

/**
 * Merges defaults into `config`, validates it and returns a frozen copy (arrays and `quantizer` frozen too).
 * @throws ConfigError naming the field, e.g. `createVqVae: expected config.inputShape height divisible by 4 (2^2 stride-2 layers), got 30.`
 */
export function resolveVqVaeConfig(config: VqVaeConfigInput = {}, fn = 'createVqVae'): Readonly<VqVaeConfig> {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', 'an object', String(config)));
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(formatExpected(fn, 'config', 'known keys only', `'${key}'`));
  }
  const defined = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  const merged = { ...DEFAULT_VQVAE_CONFIG, ...defined } as Omit<VqVaeConfig, 'quantizer'>;
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
  const quantizerInput = (config.quantizer ?? {}) as Record<string, unknown>;
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
  const quantizer = resolveVectorQuantizerConfig(
    { ...quantizerInput, dim: merged.dim, codebookSize: merged.codebookSize, seed: merged.seed },
    fn,
    'config.quantizer',
  );
  const { dim: _dim, codebookSize: _size, seed: _seed, ...quantizerOnly } = quantizer;
  return Object.freeze({
    ...merged,
    inputShape: Object.freeze([...inputShape]) as unknown as [number, number, number],
    encoderFilters: Object.freeze([...encoderFilters]) as unknown as number[],
    decoderFilters: Object.freeze([...decoderFilters]) as unknown as number[],
    quantizer: Object.freeze(quantizerOnly),
  });
}
