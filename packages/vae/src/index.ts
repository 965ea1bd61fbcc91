export { VAE_MANIFEST_FORMAT, type VaeManifest } from './checkpoint';
export {
  DEFAULT_VAE_CONFIG,
  type ResolvedVaeConfig,
  resolveVaeConfig,
  type VaeActivation,
  type VaeArch,
  type VaeConfig,
  type VaeInit,
  type VaeKind,
  type VaeLikelihood,
} from './config';
export { VAE_SCORES, type VaeEvaluateOptions, type VaeEvaluation, vaeScores } from './evaluate';
export { experimental_countFlops, experimental_vaeFlops } from './flops';
export type { VaeLabels } from './inputs';
export { inverseNormalCdf, type LatentGridOptions, latentGridPoints } from './latent-grid';
export { LearnedLogVariance, type LearnedLogVarianceArgs, registerVaeLayers } from './learned-log-variance';
export { vaeLoader } from './loader';
export type { VaeBatch, VaeLossParts, VaeStepOptions } from './loss';
export { LAYER_NAMES } from './network';
export { estimateVaeSize } from './size';
export { createVae, loadVae, saveVae, type Vae, type VaeEncoding } from './vae';
