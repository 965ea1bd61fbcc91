// @vaejs/vqvae: vector quantisation and VQ-VAE on TensorFlow.js (van den Oord et al. 2017).

// The VQ-VAE: config, network, model, checkpoint, inputs, loss, epoch report.
export { saveVqVae, VQVAE_MANIFEST_FORMAT, type VqVaeManifest, type VqVaeState } from './checkpoint';
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
export {
  DEFAULT_VQVAE_CONFIG,
  type ResolvedVqVaeConfig,
  resolveVqVaeConfig,
  type VqVaeConfig,
  type VqVaeConfigInput,
  type VqVaeQuantizerConfig,
} from './config';
export { CODE_USAGE_CHUNK, type CodeUsageReport, measureCodeUsage, reconstructionRows } from './epoch-report';
export type { VqVaeLossParts } from './forward';
export type { VqVaeBatch, VqVaeStepOptions } from './inputs';
export { vqVaeLoader } from './loader';
export { gatherCodes, l2Normalize, type NearestCodesOptions, nearestCodes, squaredDistances } from './nearest-code';
export { latentShape, type VqVaeNetworks } from './network';
export {
  type CodebookDistance,
  DEFAULT_VECTOR_QUANTIZER_CONFIG,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
  type VectorQuantizerConfigInput,
} from './quantizer-config';
export { normalizedMse, pixelVariance } from './reconstruction-metrics';
export { estimateVqVaeSize } from './size';
export {
  createVectorQuantizer,
  type QuantizeOptions,
  type QuantizeResult,
  type VectorQuantizer,
  type VectorQuantizerState,
  type VectorQuantizerVariables,
} from './vector-quantizer';
export { VectorQuantizerLayer, type VectorQuantizerLayerArgs } from './vector-quantizer-layer';
export {
  createVqVae,
  loadVqVae,
  type VqVae,
  type VqVaeEpochMetrics,
  type VqVaeStepResult,
} from './vqvae';
