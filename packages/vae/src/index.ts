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
export type { VaeEvaluateOptions, VaeEvaluation } from './evaluate';
export { experimental_countFlops, experimental_vaeFlops } from './flops';
export { inverseNormalCdf, type LatentGridOptions, latentGridPoints } from './latent-grid';
export { LearnedLogVariance, type LearnedLogVarianceArgs, registerVaeLayers } from './learned-log-variance';
export type { VaeBatch, VaeLossParts, VaeStepOptions } from './loss';
export { LAYER_NAMES } from './networks';
export { loadVae, saveVae, VAE_MANIFEST_FORMAT, type VaeManifest } from './persistence';
export { createVae, type Vae, type VaeEncoding, type VaeLabels } from './vae';
