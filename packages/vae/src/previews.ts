import * as tf from '@tensorflow/tfjs-core';
import {
  assertNumberInRange,
  assertSameShape,
  ConfigError,
  describeValue,
  formatExpected,
  type Preview,
  type TrainBatch,
} from '@vaejs/core';
import type { ResolvedVaeConfig } from './config';
import { checkImages, type VaeLabels } from './inputs';

/** Images per row of the reconstruction and sample grids, and the size of the 2-D latent manifold. */
const COLUMNS = 8;
const SAMPLES = 64;
const MANIFOLD_SIZE = 20;

/** What the pictures need of a model (the `Vae` object has it). */
export interface PreviewSource {
  readonly config: ResolvedVaeConfig;
  readonly variational: boolean;
  reconstruct(x: tf.Tensor, options?: { labels?: tf.Tensor }): tf.Tensor4D;
  generate(n: number, options?: { seed?: number; labels?: VaeLabels }): tf.Tensor4D;
  latentGrid(size: number, options?: { label?: number }): tf.Tensor4D;
}

/**
 * The pictures of a model after an epoch, from a fixed sample of test items:
 * - `reconstructions`: rows of 8, the originals (`sample.target ?? sample.x`), then for a denoising AE (when
 *   `sample.target` is given) the corrupted inputs `sample.x`, then the reconstructions of `sample.x`; a last, partial
 *   row of each is padded with black images so that every row holds one kind;
 * - variational kinds, `samples`: 64 decoded draws from the prior with `options.seed`, 8 per row (a `'cvae'` draws
 *   row r of class r mod numClasses);
 * - variational kinds with `latentDim` 2, `latent-grid`: the 20×20 latent manifold (of class 0 for a `'cvae'`).
 * @returns images float32 `[n, h, w, c]` in [0, 1] with their columns; the caller owns the tensors.
 */
export async function vaePreviews(
  model: PreviewSource,
  sample: TrainBatch,
  options: { seed: number; epoch: number },
): Promise<Record<string, Preview>> {
  const fn = 'vae.previews';
  const { config } = model;
  if (typeof sample !== 'object' || sample === null) {
    throw new ConfigError(formatExpected(fn, 'sample', 'an object { x, target?, labels? }', describeValue(sample)));
  }
  checkImages(fn, 'sample.x', sample.x, config);
  if (sample.target !== undefined) {
    checkImages(fn, 'sample.target', sample.target, config);
    assertSameShape(fn, 'sample.x', sample.x, 'sample.target', sample.target);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(formatExpected(fn, 'options', 'an object { seed, epoch }', describeValue(options)));
  }
  assertNumberInRange(fn, 'options.seed', options.seed, -(2 ** 53), 2 ** 53);
  const previews: Record<string, Preview> = {};
  try {
    const reconstructions = model.reconstruct(sample.x, sample.labels ? { labels: sample.labels } : {});
    try {
      const groups = sample.target ? [sample.target, sample.x, reconstructions] : [sample.x, reconstructions];
      previews.reconstructions = { images: interleaveRows(groups as tf.Tensor4D[], COLUMNS), columns: COLUMNS };
    } finally {
      reconstructions.dispose();
    }
    if (model.variational) {
      previews.samples = { images: priorSamples(model, options.seed), columns: COLUMNS };
      if (config.latentDim === 2) {
        const label = config.numClasses > 0 ? { label: 0 } : {};
        previews['latent-grid'] = { images: model.latentGrid(MANIFOLD_SIZE, label), columns: MANIFOLD_SIZE, scale: 1 };
      }
    }
    return previews;
  } catch (error) {
    for (const preview of Object.values(previews)) if ('images' in preview) preview.images.dispose();
    throw error;
  }
}

// helpers

/** 64 decoded draws from the prior; a `'cvae'` draws row r (8 images) of class r mod numClasses. */
function priorSamples(model: PreviewSource, seed: number): tf.Tensor4D {
  const classes = model.config.numClasses;
  if (classes === 0) return model.generate(SAMPLES, { seed });
  const rowClasses = Array.from({ length: SAMPLES }, (_, i) => Math.floor(i / COLUMNS) % classes);
  const labels = tf.tensor1d(rowClasses, 'int32');
  try {
    return model.generate(SAMPLES, { seed, labels });
  } finally {
    labels.dispose();
  }
}

/**
 * Lays out image groups of the same size `n` in rows of `columns`: row block b holds images [b·columns, (b+1)·columns)
 * of each group in turn; a partial last block is padded with zeros to whole rows.
 */
function interleaveRows(groups: tf.Tensor4D[], columns: number): tf.Tensor4D {
  return tf.tidy(() => {
    const n = groups[0]!.shape[0];
    const rows: tf.Tensor4D[] = [];
    for (let start = 0; start < n; start += columns) {
      const size = Math.min(columns, n - start);
      for (const group of groups) {
        const row = tf.slice(group, start, size);
        rows.push(
          size === columns
            ? row
            : (tf.pad(row, [
                [0, columns - size],
                [0, 0],
                [0, 0],
                [0, 0],
              ]) as tf.Tensor4D),
        );
      }
    }
    return tf.concat(rows) as tf.Tensor4D;
  });
}
