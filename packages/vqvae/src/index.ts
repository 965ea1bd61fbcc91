// @vaejs/vqvae: vector quantisation and VQ-VAE on TensorFlow.js (van den Oord et al. 2017).

export {
  type CodeUsageAccumulator,
  codeCounts,
  codePerplexity,
  codeUsage,
  createCodeUsageAccumulator,
  perplexityFromCounts,
  usageFromCounts,
} from './code-metrics';
export {
  type EmaOptions,
  type EmaState,
  emaCodebookUpdate,
  type KmeansOptions,
  kmeans,
  restartDeadCodes,
} from './codebook-updates';
export { gatherCodes, l2Normalize, type NearestCodesOptions, nearestCodes, squaredDistances } from './nearest-code';
export {
  type CodebookDistance,
  DEFAULT_VECTOR_QUANTIZER_CONFIG,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
  type VectorQuantizerConfigInput,
} from './quantizer-config';
export { normalizedMse, pixelVariance } from './reconstruction-metrics';
export {
  createVectorQuantizer,
  type QuantizeResult,
  type VectorQuantizer,
  type VectorQuantizerVariables,
} from './vector-quantizer';
export { VectorQuantizerLayer, type VectorQuantizerLayerArgs } from './vector-quantizer-layer';
export {
  createVqVae,
  type VqVae,
  type VqVaeBatch,
  type VqVaeLossParts,
  type VqVaeStepOptions,
  type VqVaeStepResult,
} from './vqvae';
export {
  DEFAULT_VQVAE_CONFIG,
  resolveVqVaeConfig,
  type VqVaeConfig,
  type VqVaeConfigInput,
  type VqVaeQuantizerConfig,
} from './vqvae-config';
export { loadVqVae, saveVqVae, VQVAE_MANIFEST_FORMAT, type VqVaeManifest } from './vqvae-io';
export { latentShape, type VqVaeNetworks } from './vqvae-networks';
