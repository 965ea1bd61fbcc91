/** Flags → model configs, and run folders → models: the CLI's only knowledge of the three model packages. */
import { datasetPixelMean, datasetPixelVariance, type ImageDataset } from '@vaejs/datasets';
import { type PixelCnn, pixelCnnLoader } from '@vaejs/pixelcnn-prior';
import { createRunReader, type LocatedCheckpoint } from '@vaejs/training';
import { type Vae, type VaeConfig, vaeLoader } from '@vaejs/vae';
import { type VqVae, type VqVaeConfig, vqVaeLoader } from '@vaejs/vqvae';
import { type CliBackend, setupBackendFromFlags } from '../backend';
import { runSource } from './archives';
import { type BackendFlagValues, memoryLimit } from './options';
import { type QuantizerFlags, quantizerConfig } from './quantizer-flags';

export type Model = Vae | VqVae | PixelCnn;

/** Reads every run folder the CLI is pointed at: configs, checkpoints, and the models in them, of the three kinds. */
export const runReader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);

/**
 * Runs `use` on the model of the checkpoint `path` names (a run folder's newest, a checkpoint folder, a bare model
 * folder, or a zip archive of one), with the backend the flags ask for set up once the checkpoint is found, and
 * disposes the model afterwards. The model is checked against `--max-memory` (for steps of `batchSize` items) before
 * it is built, and read with its checkpoint as one (a run that trains on and rotates its checkpoints meanwhile gives
 * its new newest).
 */
export async function withCheckpointModel<T>(
  where: { fn: string; argument: string; kinds?: string[]; accept?: (checkpoint: LocatedCheckpoint) => void },
  path: string,
  flags: BackendFlagValues & { maxMemory: number },
  batchSize: number,
  use: (model: Model, checkpoint: LocatedCheckpoint, backend: CliBackend) => Promise<T>,
): Promise<T> {
  const source = await runSource(path);
  where.accept?.(await runReader.locate(source, where));
  const backend = await setupBackendFromFlags(flags);
  const { checkpoint, model } = await runReader.open(source, {
    ...where,
    memory: memoryLimit(flags.maxMemory, batchSize),
  });
  try {
    return await use(model as Model, checkpoint, backend);
  } finally {
    model.dispose();
  }
}

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
export interface VqVaeFlags extends QuantizerFlags {
  channels?: number | undefined;
  dataVariance?: number | undefined;
  codeProjection?: number | undefined;
  seed: number;
}

export function vqVaeConfig(flags: VqVaeFlags, data: ImageDataset): VqVaeConfig {
  // The reconstruction MSE is divided by the training images' pixel variance, as the Keras and Sonnet examples do;
  // a constant dataset (variance 0) keeps the plain MSE.
  const variance = flags.dataVariance ?? datasetPixelVariance(data);
  return {
    inputShape: [...data.imageShape] as [number, number, number],
    dataVariance: variance > 0 ? variance : 1,
    dataMean: datasetPixelMean(data),
    seed: flags.seed,
    ...quantizerConfig(flags),
    ...(flags.channels !== undefined ? { encoderFilters: [flags.channels, 2 * flags.channels] } : {}),
    ...(flags.codeProjection !== undefined ? { codeProjection: flags.codeProjection } : {}),
  };
}
