/**
 * A dataset of images as the code maps of an encoder (a VQ-VAE's): what a PixelCNN prior learns. The encoder comes
 * as a plain interface, which `@vaejs/vqvae`'s `VqVae` satisfies, so that this package imports no model package.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt } from '@vaejs/core';
import { createBatches } from './batches';
import { type CodeMapDataset, createCodeMapDataset } from './code-maps';
import type { ImageDataset } from './dataset';

/** What turns images into code maps: a VQ-VAE (`VqVae` of `@vaejs/vqvae`). */
export interface CodeMapEncoder {
  /** `codebookSize`: K, the number of codes a map holds. */
  readonly config: { readonly codebookSize: number };
  /** `[height, width, …]` of the code maps it makes. */
  readonly latentShape: readonly number[];
  /** Images float32 [n, H, W, C] in [0, 1] → code maps int32 [n, height, width]; the caller disposes them. */
  encode(images: tf.Tensor4D): tf.Tensor3D;
}

/** Options of {@link encodeCodeMaps}. */
export interface EncodeCodeMapsOptions {
  /** Images per forward pass. Default 500. */
  batchSize?: number;
  /** `'static'`: encode the images binarised at 0.5, as a model trained on binarised images saw them. Default `'none'`. */
  binarize?: 'none' | 'static';
  /** The dataset's name. Default `<images' name>-codes`. */
  name?: string;
}

/**
 * Encodes every image of `dataset`, in order, batch by batch, into a code-map dataset with the images' labels.
 * @example
 * const train = await encodeCodeMaps(loadMnist({ split: 'train' }), vqvae); // 60,000 maps 7×7 of 128 codes
 */
export async function encodeCodeMaps(
  dataset: ImageDataset,
  encoder: CodeMapEncoder,
  options: EncodeCodeMapsOptions = {},
): Promise<CodeMapDataset> {
  const batchSize = options.batchSize ?? 500;
  assertPositiveInt('encodeCodeMaps', 'options.batchSize', batchSize);
  const [height, width] = encoder.latentShape as [number, number];
  const codes = new Int32Array(dataset.size * height * width);
  let offset = 0;
  for (const batch of createBatches(dataset, { batchSize, shuffle: false, binarize: options.binarize ?? 'none' })) {
    try {
      const maps = encoder.encode(batch.x);
      codes.set(await maps.data(), offset);
      offset += maps.size;
      maps.dispose();
    } finally {
      tf.dispose(batch);
    }
  }
  return createCodeMapDataset({
    name: options.name ?? `${dataset.name}-codes`,
    codes,
    labels: dataset.labels,
    height,
    width,
    numCategories: encoder.config.codebookSize,
    numClasses: dataset.numClasses,
  });
}
