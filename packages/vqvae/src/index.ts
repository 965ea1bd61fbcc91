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
  quantizerSizes,
  type ResolvedVqVaeConfig,
  resolveVqVaeConfig,
  type VqVaeConfig,
  type VqVaeConfigInput,
  type VqVaeQuantizerConfig,
} from './config';
export { CODE_USAGE_CHUNK, type CodeUsageReport, measureCodeUsage, reconstructionRows } from './epoch-report';
export {
  FiniteScalarQuantizerLayer,
  type FiniteScalarQuantizerLayerArgs,
  LookupFreeQuantizerLayer,
  type LookupFreeQuantizerLayerArgs,
} from './fixed-codebook-layer';
export type { VqVaeLossParts } from './forward';
export {
  createFiniteScalarQuantizer,
  type FiniteScalarQuantizer,
  FSQ_MAX_CODES,
  fsqCodebook,
} from './fsq';
export type { VqVaeBatch, VqVaeStepOptions } from './inputs';
export {
  createLookupFreeQuantizer,
  DEFAULT_LFQ_SETTINGS,
  LFQ_MAX_DIM,
  type LfqSettings,
  type LookupFreeQuantizer,
  lfqCodebook,
  lfqEntropyPenalty,
} from './lfq';
export { vqVaeLoader } from './loader';
export { gatherCodes, l2Normalize, type NearestCodesOptions, nearestCodes, squaredDistances } from './nearest-code';
export { FSQ_FIRST_DECODER_BIAS, latentShape, type VqVaeNetworks } from './network';
export type { Quantizer, QuantizerKind } from './quantizer';
export {
  type CodebookDistance,
  DEFAULT_VECTOR_QUANTIZER_CONFIG,
  type QuantizerGradient,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
  type VectorQuantizerConfigInput,
} from './quantizer-config';
export type { AnyQuantizer } from './quantizer-kinds';
export { normalizedMse, pixelVariance } from './reconstruction-metrics';
export {
  createResidualVectorQuantizer,
  type ResidualSettings,
  type ResidualVectorQuantizer,
} from './residual-vq';
export { ResidualQuantizerLayer, type ResidualQuantizerLayerArgs } from './residual-vq-layer';
export { rotateTo } from './rotation-trick';
export { VQVAE_SCORES, vqVaeScoreMeanings, vqVaeScores } from './scores';
export { estimateVqVaeSize } from './size';
export {
  createVectorQuantizer,
  orthogonalLoss,
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
