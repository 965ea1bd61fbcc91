/**
 * The pictures of a prior's epoch: new images drawn in two stages (maps from the prior, decoded by its VQ-VAE), the
 * same seed every epoch, so that one watches the same draws turn into digits. Shaped for `fit`'s `previews` option of
 * `@vaejs/training` (which this package does not import: the signature is plain).
 */
import type { Preview } from '@vaejs/core';
import type { TwoStageSampler } from './two-stage-sampler';

/** Options of {@link samplePreviews}. */
export interface SamplePreviewsOptions {
  /** Images drawn each epoch. Default 16. */
  count?: number;
  /** Images per row. Default 4. */
  columns?: number;
}

/**
 * A preview function for `fit(prior, data, { previews })`: `count` draws from `sampler` with the run's seed, the labels
 * cycling through the classes for a conditional prior; the picture is named `samples`.
 * @example
 * const sampler = createTwoStageSampler(prior, vqvae);
 * await fit(prior, { train, test }, { epochs: 3, previews: samplePreviews(sampler) });
 */
export function samplePreviews(
  sampler: TwoStageSampler,
  options: SamplePreviewsOptions = {},
): (model: unknown, sample: unknown, drawOptions: { seed: number }) => Promise<Record<string, Preview>> {
  const count = options.count ?? 16;
  const columns = options.columns ?? 4;
  return async (model, _sample, { seed }) => {
    const classes = (model as { config?: { numClasses?: number } }).config?.numClasses ?? 0;
    const labels = classes > 0 ? Array.from({ length: count }, (_, i) => i % classes) : undefined;
    const { maps, images } = await sampler.sample(count, { seed, ...(labels ? { labels } : {}) });
    maps.dispose();
    return { samples: { images, columns } };
  };
}
