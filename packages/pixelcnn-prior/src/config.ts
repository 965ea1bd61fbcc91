import { assertOneOf, assertPositiveInt, ConfigError, describeValue, formatExpected } from '@vaejs/core';

/**
 * `'gated'`: the gated PixelCNN of van den Oord et al. (2016b), vertical and horizontal stacks, no blind spot.
 * `'masked'`: the original PixelCNN of van den Oord et al. (2016a), a stack of masked k×k convolutions (type A then
 * type B) with residual connections; it has the blind spot to the upper right (kept for comparison and teaching).
 */
export type PixelCnnArchitecture = 'gated' | 'masked';

/** Settings of a PixelCNN prior. Only the sizes `numCategories`, `height` and `width` are required. */
export interface PixelCnnConfig {
  /** K, the number of values a position takes: maps hold integers in [0, K). A VQ-VAE's codebook size. */
  numCategories: number;
  /** Map height h (rows). Maps of another size are rejected. */
  height: number;
  /** Map width w (columns). */
  width: number;
  /** Network family. Default `'gated'`. */
  architecture?: PixelCnnArchitecture;
  /** Channels of every hidden layer (the gates work on twice as many). Default 64. */
  channels?: number;
  /** Number of gated blocks (or masked convolutions), the first of type A. Default 6. */
  layers?: number;
  /** Odd kernel size k ≥ 3 of the stacks: vertical (k//2+1)×k, horizontal 1×(k//2+1), masked k×k. Default 3. */
  kernelSize?: number;
  /** Size of the learned embedding of each of the K values (the network's input). Default 64. */
  embeddingDim?: number;
  /** Channels of the 1×1 output head before the K logits. Default 128. */
  headChannels?: number;
  /** Label classes for class conditioning (a learned per-class bias in every gate); 0 = unconditioned. Default 0. */
  numClasses?: number;
  /** Seed of the weight initialisers: the same seed builds the same network. Default 0. */
  seed?: number;
}

/** The config after defaults are merged and checked: every field set; frozen. What `prior.config` holds. */
export type ResolvedPixelCnnConfig = Readonly<Required<PixelCnnConfig>>;

/**
 * The config `createPixelCnn` takes (the sizes plus any optional field).
 * @deprecated `PixelCnnConfig` itself now has only the sizes required; use it.
 */
export type PixelCnnConfigInput = PixelCnnConfig;

/** Defaults of every optional field. */
export const DEFAULT_PIXELCNN_CONFIG: Readonly<Omit<ResolvedPixelCnnConfig, 'numCategories' | 'height' | 'width'>> =
  Object.freeze({
    architecture: 'gated',
    channels: 64,
    layers: 6,
    kernelSize: 3,
    embeddingDim: 64,
    headChannels: 128,
    numClasses: 0,
    seed: 0,
  });

const KEYS = ['numCategories', 'height', 'width', ...Object.keys(DEFAULT_PIXELCNN_CONFIG)];

/**
 * Merges `DEFAULT_PIXELCNN_CONFIG` into `config` (fields set to `undefined` take their default), validates every
 * field and freezes the result.
 * @param fn the public function's name in messages
 * @throws ConfigError naming the first bad field, e.g.
 *   `createPixelCnn: expected config.kernelSize an odd integer ≥ 3, got 4.`
 * @example resolvePixelCnnConfig({ numCategories: 128, height: 7, width: 7 }).channels // 64
 */
export function resolvePixelCnnConfig(config: PixelCnnConfig, fn = 'createPixelCnn'): ResolvedPixelCnnConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(formatExpected(fn, 'config', 'an object', describeValue(config)));
  }
  const unknown = Object.keys(config).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(formatExpected(fn, 'config keys', `among ${KEYS.join(', ')}`, `'${unknown.join("', '")}'`));
  }
  const resolved = { ...DEFAULT_PIXELCNN_CONFIG, ...withoutUndefined(config) } as Required<PixelCnnConfig>;
  assertPositiveInt(fn, 'config.numCategories', resolved.numCategories, 2);
  assertPositiveInt(fn, 'config.height', resolved.height);
  assertPositiveInt(fn, 'config.width', resolved.width);
  assertOneOf(fn, 'config.architecture', resolved.architecture, ['gated', 'masked'] as const);
  assertPositiveInt(fn, 'config.channels', resolved.channels);
  assertPositiveInt(fn, 'config.layers', resolved.layers);
  assertPositiveInt(fn, 'config.kernelSize', resolved.kernelSize);
  if (resolved.kernelSize < 3 || resolved.kernelSize % 2 === 0) {
    throw new ConfigError(formatExpected(fn, 'config.kernelSize', 'an odd integer ≥ 3', String(resolved.kernelSize)));
  }
  assertPositiveInt(fn, 'config.embeddingDim', resolved.embeddingDim);
  assertPositiveInt(fn, 'config.headChannels', resolved.headChannels);
  assertPositiveInt(fn, 'config.numClasses', resolved.numClasses, 0);
  assertPositiveInt(fn, 'config.seed', resolved.seed, 0);
  return Object.freeze(resolved);
}

// helpers

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
