export {
  assertDtype,
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  assertRank,
  assertSameShape,
  assertShape,
  assertTensor,
  assertValueRange,
  describeValue,
  formatShape,
} from './checks';
export { bernoulliLogLikelihood } from './distributions/bernoulli';
export { type CategoricalSampleOptions, categoricalLogProb, categoricalSample } from './distributions/categorical';
export {
  gaussianLogDensity,
  gaussianSample,
  klGaussians,
  klPerDimension,
  klStandardNormal,
  standardNormalLogDensity,
} from './distributions/gaussian';
export {
  CheckpointError,
  ConfigError,
  DataError,
  DTypeError,
  formatExpected,
  ShapeError,
  VaejsError,
  type VaejsErrorKind,
  ValueError,
} from './errors';
// Fused kernels a backend may add (the names and their contract).
export { FUSED_KERNELS, type FusedKernelName, hasFusedKernel, hasFusedKernels } from './fused-kernels';
export { type LabelsInput, type LabelsToOneHotOptions, labelsToOneHot } from './labels';
export {
  applyLayersWeights,
  type DecodedLayersWeights,
  type DecodeLayersWeightsOptions,
  decodeLayersWeights,
  disposeLayersWeights,
  partHandler,
  restoreLayersWeights,
  type WeightsTarget,
} from './layers-weights';
export { type ElboOptions, type ElboParts, elbo, freeBits } from './losses/elbo';
export { bitsPerDim, iwaeBound, logMeanExp } from './losses/iwae';
export {
  DEFAULT_KL_SCHEDULE_CONFIG,
  KL_SCHEDULE_KINDS,
  type KlScheduleConfig,
  klSchedule,
} from './losses/kl-schedule';
export {
  BCE_EPSILON,
  bce,
  bceWithLogits,
  gaussianNll,
  LIKELIHOODS,
  type Likelihood,
  mse,
  type ReconstructionLossOptions,
  reconstructionLoss,
} from './losses/reconstruction';
// Checkpoints: the checks every loader runs.
export {
  assertSameConfig,
  type CheckedManifest,
  checkManifest,
  checkPartIO,
  type ManifestExpectation,
} from './manifest';
// What model packages hand to readers and guards that import none of them.
export type { ModelLoader } from './model-loader';
export { largestSize, type ModelSize, modelSize } from './model-size';
// Seeded randomness, stop-gradient, distributions and losses.
export { createRng, type Rng, type RngState, tfSeed } from './random';
export { stopGradient, straightThrough } from './stop-gradient';
export { backendCopiesOnCreate } from './tensor-memory';
// The contract @vaejs/training drives every model through.
export {
  type ModelManifest,
  manifestKind,
  type PartIO,
  type Preview,
  type TrainableModel,
  type TrainBatch,
  type TrainStepOptions,
} from './trainable';
