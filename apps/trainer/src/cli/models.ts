/** Flags → model configs, and checkpoints → models: the CLI's only knowledge of the three model packages. */
import { datasetPixelVariance, type ImageDataset } from '@vaejs/datasets';
import { createPixelCnn, loadPixelCnn, type PixelCnn, type PixelCnnConfigInput } from '@vaejs/pixelcnn-prior';
import type { StoredCheckpoint } from '@vaejs/training';
import { createVae, loadVae, type Vae, type VaeConfig } from '@vaejs/vae';
import { createVqVae, loadVqVae, type VqVae, type VqVaeConfig } from '@vaejs/vqvae';
import { UsageError } from './parse';

export type Model = Vae | VqVae | PixelCnn;
export type ModelKind = 'vae' | 'vqvae' | 'pixelcnn';

/** The model kinds `vaejs train --model` builds; all but vqvae are the VAE family of @vaejs/vae. */
export const TRAIN_MODELS = ['ae', 'dae', 'vae', 'beta-vae', 'cvae', 'vqvae'] as const;
export type TrainModel = (typeof TRAIN_MODELS)[number];

/** What the VAE flags hold. */
export interface VaeFlags {
  model: TrainModel;
  arch: 'mlp' | 'conv';
  latentDim?: number | undefined;
  hidden?: number | undefined;
  channels?: number | undefined;
  beta?: number | undefined;
  likelihood: 'bernoulli' | 'gaussian' | 'gaussian-learned';
  init: 'pytorch' | 'glorot';
  seed: number;
}

/** Latent size when --latent-dim is not given: PyTorch examples/vae's 20 for the MLP, 16 for conv. */
export const DEFAULT_LATENT_DIM = { mlp: 20, conv: 16 } as const;

export function vaeConfig(flags: VaeFlags, data: ImageDataset): VaeConfig {
  return {
    inputShape: data.imageShape,
    latentDim: flags.latentDim ?? DEFAULT_LATENT_DIM[flags.arch],
    kind: flags.model as VaeConfig['kind'],
    arch: flags.arch,
    likelihood: flags.likelihood,
    init: flags.init,
    seed: flags.seed,
    ...(flags.beta !== undefined ? { beta: flags.beta } : {}),
    ...(flags.model === 'cvae' ? { numClasses: data.numClasses } : {}),
    ...(flags.hidden !== undefined ? { hidden: flags.hidden } : {}),
    ...(flags.channels !== undefined ? { filters: [flags.channels, 2 * flags.channels] } : {}),
  };
}

/** What the VQ-VAE flags hold. */
export interface VqVaeFlags {
  codeDim: number;
  codebookSize: number;
  channels?: number | undefined;
  commitmentCost?: number | undefined;
  ema: boolean;
  restartThreshold: number;
  dataVariance?: number | undefined;
  seed: number;
}

export function vqVaeConfig(flags: VqVaeFlags, data: ImageDataset): VqVaeConfig {
  // The reconstruction MSE is divided by the training images' pixel variance, as the Keras and Sonnet examples do;
  // a constant dataset (variance 0) keeps the plain MSE.
  const variance = flags.dataVariance ?? datasetPixelVariance(data);
  return {
    inputShape: [...data.imageShape] as [number, number, number],
    dataVariance: variance > 0 ? variance : 1,
    seed: flags.seed,
    dim: flags.codeDim,
    codebookSize: flags.codebookSize,
    ...(flags.channels !== undefined ? { encoderFilters: [flags.channels, 2 * flags.channels] } : {}),
    quantizer: {
      ema: flags.ema,
      deadCodeThreshold: flags.restartThreshold,
      kmeansInit: true,
      ...(flags.commitmentCost !== undefined ? { beta: flags.commitmentCost } : {}),
    },
  };
}

/** A model with the checkpoint's own config (for resume: `fit` then restores its weights and state). */
export function createFromManifest(kind: string, config: unknown, fn: string): Model {
  switch (kind) {
    case 'vae':
      return createVae(config as VaeConfig);
    case 'vqvae':
      return createVqVae(config as VqVaeConfig);
    case 'pixelcnn':
      return createPixelCnn(config as PixelCnnConfigInput);
    default:
      throw new UsageError(`${fn}: expected a checkpoint of a vae, vqvae or pixelcnn, got a ${kind} one.`);
  }
}

/** Loads the model of a checkpoint, of the kind asked for (any of them when `kinds` is absent). */
export async function loadCheckpointModel(
  checkpoint: StoredCheckpoint,
  fn: string,
  kinds: readonly ModelKind[] = ['vae', 'vqvae', 'pixelcnn'],
): Promise<{ kind: ModelKind; model: Model }> {
  const kind = checkpoint.info.kind as ModelKind;
  if (!kinds.includes(kind)) {
    throw new UsageError(
      `${fn}: expected a ${kinds.join(' or ')} checkpoint, got a ${kind} one (${checkpoint.location}).`,
    );
  }
  const loaders: Record<ModelKind, (manifest: unknown, io: StoredCheckpoint['io']) => Promise<Model>> = {
    vae: loadVae,
    vqvae: loadVqVae,
    pixelcnn: loadPixelCnn,
  };
  return { kind, model: await loaders[kind](checkpoint.manifest, checkpoint.io) };
}
