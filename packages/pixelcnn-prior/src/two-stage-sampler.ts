/**
 * New images from a VQ-VAE and its PixelCNN prior, in two stages (van den Oord et al. 2017, §3.3): the prior draws
 * code maps, position by position; the VQ-VAE's decoder turns them into images. The decoder comes as a plain
 * interface, which `@vaejs/vqvae`'s `VqVae` satisfies as it is, so that this package never imports the VQ-VAE (it
 * takes its codes as plain int32 maps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { checkPriorFits } from './codes-fit';
import type { PixelCnn } from './pixelcnn';
import type { PixelCnnSampleOptions } from './sample';

/** What decodes a prior's code maps into images: a VQ-VAE (`VqVae` of `@vaejs/vqvae`). */
export interface CodeMapDecoder {
  /** `codebookSize`: K, the number of codes a map holds. */
  readonly config: { readonly codebookSize: number };
  /** `[height, width, …]` of the code maps it decodes. */
  readonly latentShape: readonly number[];
  /** Code maps int32 [n, height, width] in [0, K) → images float32 [n, H, W, C]; the caller disposes them. */
  decode(maps: tf.Tensor3D): tf.Tensor4D;
}

/** Options of a two-stage draw: the prior's own, with `onPosition` also handed the images of the maps so far. */
export interface TwoStageSampleOptions extends Omit<PixelCnnSampleOptions, 'onPosition'> {
  /**
   * Called after each position, as the prior's `onPosition` (`partial`: the live int32 view of the maps so far), with
   * `decode()`, which decodes those maps: float32 [n, H, W, C], a new tensor the caller disposes.
   */
  onPosition?: (row: number, col: number, partial: Int32Array, decode: () => tf.Tensor4D) => void | Promise<void>;
}

/** What a two-stage draw returns; the caller disposes both. */
export interface DecodedSamples {
  /** int32 [n, height, width], values in [0, K). */
  maps: tf.Tensor3D;
  /** float32 [n, H, W, C]: the maps decoded. */
  images: tf.Tensor4D;
}

/** A prior and the decoder of its code maps, checked against each other once. */
export interface TwoStageSampler {
  /** Why the decoder cannot decode the prior's maps (another map size or codebook), or null when it can. */
  readonly mismatch: string | null;
  /**
   * Draws `n` code maps from the prior (seeded, labelled, tempered as `prior.sample`) and decodes them.
   * @throws ConfigError when the decoder does not fit the prior (`mismatch`), before drawing anything
   */
  sample(n: number, options?: TwoStageSampleOptions): Promise<DecodedSamples>;
}

/**
 * Pairs a prior with the decoder of its code maps: checks that they fit (`checkPriorFits`), then draws and decodes.
 * @example
 * const sampler = createTwoStageSampler(prior, vqvae);
 * if (sampler.mismatch) throw new Error(sampler.mismatch);
 * const { maps, images } = await sampler.sample(16, { seed: 1 }); // int32 [16, 7, 7], float32 [16, 28, 28, 1]
 */
export function createTwoStageSampler(
  prior: Pick<PixelCnn, 'config' | 'sample'>,
  decoder: CodeMapDecoder,
): TwoStageSampler {
  const [height, width] = decoder.latentShape as [number, number];
  const mismatch = checkPriorFits(prior, { numCategories: decoder.config.codebookSize, height, width });
  return {
    mismatch,
    async sample(n, options = {}) {
      if (mismatch !== null) throw new ConfigError(`twoStageSampler.sample: ${mismatch}`);
      const { onPosition, ...rest } = options;
      const decodePartial = (partial: Int32Array) => () =>
        tf.tidy(() => decoder.decode(tf.tensor3d(partial, [n, height, width], 'int32')));
      const maps = await prior.sample(n, {
        ...rest,
        ...(onPosition
          ? { onPosition: (row, col, partial) => onPosition(row, col, partial, decodePartial(partial)) }
          : {}),
      });
      return { maps, images: decoder.decode(maps) };
    },
  };
}
