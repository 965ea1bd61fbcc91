import type { ResolvedPixelCnnConfig } from './config';

/** What a prior must match of the code maps it models: the map size and the number of codes. */
export interface CodeMapShape {
  numCategories: number;
  height: number;
  width: number;
}

/**
 * Why a prior cannot model (and be decoded by) a VQ-VAE's code maps, or null when it fits: its maps must have the
 * VQ-VAE's code-map size and codebook size. The CLI and the demo both ask this before sampling.
 * @example
 * const [height, width] = vqvae.latentShape;
 * const problem = checkPriorFits(prior, { numCategories: vqvae.config.codebookSize, height, width });
 * if (problem) throw new Error(problem);
 */
export function checkPriorFits(
  prior: { config: Pick<ResolvedPixelCnnConfig, 'numCategories' | 'height' | 'width'> },
  codes: CodeMapShape,
): string | null {
  const { numCategories, height, width } = prior.config;
  if (numCategories === codes.numCategories && height === codes.height && width === codes.width) return null;
  return (
    `expected a prior over the VQ-VAE's ${codes.height}×${codes.width} maps of ${codes.numCategories} codes, ` +
    `got one over ${height}×${width} maps of ${numCategories} codes.`
  );
}
