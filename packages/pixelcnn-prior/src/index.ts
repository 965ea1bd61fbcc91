export { PIXELCNN_FORMAT, type PixelCnnManifest } from './checkpoint';
export { type CodeMapShape, checkPriorFits } from './codes-fit';
export {
  DEFAULT_PIXELCNN_CONFIG,
  type PixelCnnArchitecture,
  type PixelCnnConfig,
  type PixelCnnConfigInput,
  type ResolvedPixelCnnConfig,
  resolvePixelCnnConfig,
} from './config';
export { type GatePair, gatedActivation } from './gate';
export { GatedPixelCnnBlock, type GatedPixelCnnBlockArgs } from './gated-block';
export type { LabelsInput } from './inputs';
export { pixelCnnLoader } from './loader';
export { causalMask, MaskedConv2D, type MaskedConv2DArgs } from './masked-conv';
export { buildPixelCnnNetwork, registerPixelCnnLayers } from './network';
export {
  createPixelCnn,
  loadPixelCnn,
  type PixelCnn,
  type PixelCnnBatch,
  type PixelCnnEvaluation,
  type PixelCnnLossParts,
  type PixelCnnStepOptions,
  savePixelCnn,
} from './pixelcnn';
export type { PixelCnnSampleOptions } from './sample';
export { type SamplePreviewsOptions, samplePreviews } from './sample-previews';
export { PIXELCNN_SCORES } from './scores';
export { estimatePixelCnnSize } from './size';
export {
  type CodeMapDecoder,
  createTwoStageSampler,
  type DecodedSamples,
  type TwoStageSampleOptions,
  type TwoStageSampler,
} from './two-stage-sampler';
