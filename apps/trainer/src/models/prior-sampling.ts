import type * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, ConfigError, formatExpected } from '@vaejs/core';
import { latestCheckpointOf } from '../commands/run-folder';
import { loadPixelCnnFolder } from './prior-model';
import { loadVqVaeFolder } from './vqvae-model';

/** Samples code maps from a PixelCNN prior and decodes them with a VQ-VAE: images float32 [n, H, W, C]. */
export async function sampleFromPrior(
  fn: string,
  options: { vqvaeRun: string; priorRun: string; n: number; seed: number; temperature: number; label?: number },
): Promise<tf.Tensor4D> {
  const vqvae = await loadVqVaeFolder(latestCheckpointOf(fn, options.vqvaeRun, 'vqvae').dir, fn);
  const prior = await loadPixelCnnFolder(latestCheckpointOf(fn, options.priorRun, 'pixelcnn').dir, fn);
  try {
    const [height, width] = vqvae.latentShape;
    if (
      prior.config.numCategories !== vqvae.config.codebookSize ||
      prior.config.height !== height ||
      prior.config.width !== width
    ) {
      throw new CheckpointError(
        formatExpected(
          fn,
          '--prior',
          `a prior over ${height}x${width} maps of ${vqvae.config.codebookSize} codes (the --vqvae's)`,
          `one over ${prior.config.height}x${prior.config.width} maps of ${prior.config.numCategories}`,
        ),
      );
    }
    const classes = prior.config.numClasses;
    if (options.label !== undefined && (classes === 0 || options.label >= classes)) {
      throw new ConfigError(
        formatExpected(
          fn,
          '--label',
          classes ? `a class in [0, ${classes - 1}]` : 'nothing (the prior is unconditional)',
          String(options.label),
        ),
      );
    }
    const labels = classes > 0 ? Array.from({ length: options.n }, (_, i) => options.label ?? i % classes) : undefined;
    const maps = await prior.sample(options.n, {
      seed: options.seed,
      temperature: options.temperature,
      ...(labels ? { labels } : {}),
    });
    try {
      return vqvae.decode(maps);
    } finally {
      maps.dispose();
    }
  } finally {
    prior.dispose();
    vqvae.dispose();
  }
}
