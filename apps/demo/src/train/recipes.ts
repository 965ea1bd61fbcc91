/**
 * What each model of the training view is, as the packages' own configs and fit options — and the same run as the
 * `vaejs` CLI would write it (its flags, kept in the run config), so that `vaejs eval`, `vaejs sample` and
 * `vaejs train --resume` take a run the page trained. Data only: the packages train.
 */
import type { PixelCnnConfig } from '@vaejs/pixelcnn-prior';
import type { VaeConfig } from '@vaejs/vae';
import type { VqVaeConfig } from '@vaejs/vqvae';
import type { TrainModel, TrainSettings } from './train-settings';

/** The IndexedDB name each model's run is kept under (one run per model). */
export function runName(model: TrainModel): string {
  return model;
}

/** The VAE of `vae-mlp` and `vae-conv`: the CLI's `vaejs train --model vae --arch …` (PyTorch's init, BCE). */
export function vaeConfig(settings: TrainSettings, inputShape: readonly [number, number, number]): VaeConfig {
  return {
    inputShape,
    latentDim: settings.latent,
    kind: 'vae',
    arch: settings.model === 'vae-conv' ? 'conv' : 'mlp',
    likelihood: 'bernoulli',
    init: 'pytorch',
    beta: settings.beta,
    seed: settings.seed,
  };
}

/** The VQ-VAE: the CLI's `vaejs train --model vqvae` (K = 128 codes of D = 16, EMA codebook, restarts). */
export function vqVaeConfig(
  settings: TrainSettings,
  inputShape: readonly [number, number, number],
  dataVariance: number,
  dataMean: number | null = null,
): VqVaeConfig {
  return {
    inputShape,
    dataVariance: dataVariance > 0 ? dataVariance : 1,
    dataMean,
    seed: settings.seed,
    dim: 16,
    codebookSize: 128,
    quantizer: { ema: true, deadCodeThreshold: 1, kmeansInit: true, beta: settings.beta },
  };
}

/** The prior over a VQ-VAE's code maps (`height × width` of `numCategories` codes). */
export function priorConfig(
  settings: TrainSettings,
  maps: { numCategories: number; height: number; width: number; numClasses: number },
): PixelCnnConfig {
  return {
    numCategories: maps.numCategories,
    height: maps.height,
    width: maps.width,
    architecture: 'gated',
    channels: settings.channels,
    layers: settings.layers,
    seed: settings.seed,
    numClasses: settings.conditional ? maps.numClasses : 0,
  };
}

/**
 * The flags `vaejs train` (or `vaejs prior train`) would have kept for this run, in its run config (`app`): what
 * lets the CLI resume and evaluate a run the page trained.
 */
export function cliRunInfo(settings: TrainSettings): { command: string; flags: Record<string, unknown> } {
  const common = {
    dataset: settings.dataset,
    epochs: settings.epochs,
    batchSize: settings.batch,
    lr: settings.lr,
    optimizer: 'adam',
    seed: settings.seed,
    limit: settings.limit,
    testLimit: settings.testLimit,
  };
  if (settings.model === 'prior') {
    const { dataset: _dataset, optimizer: _optimizer, ...rest } = common;
    return {
      command: 'prior train',
      flags: {
        ...rest,
        architecture: 'gated',
        channels: settings.channels,
        layers: settings.layers,
        conditional: settings.conditional,
      },
    };
  }
  if (settings.model === 'vqvae') {
    const vq = { codeDim: 16, codebookSize: 128, commitmentCost: settings.beta, ema: true, restartThreshold: 1 };
    return { command: 'train', flags: { model: 'vqvae', ...common, binarize: 'none', ...vq } };
  }
  const arch = settings.model === 'vae-conv' ? 'conv' : 'mlp';
  const vae = { arch, latentDim: settings.latent, beta: settings.beta, likelihood: 'bernoulli', init: 'pytorch' };
  return { command: 'train', flags: { model: 'vae', ...vae, ...common, binarize: 'none', klAnneal: 'constant' } };
}

/** The same run on the command line (what a person types to train it in Node instead). */
export function cliCommand(settings: TrainSettings): string {
  const { command, flags } = cliRunInfo(settings);
  const kebab = (key: string) => key.replace(/[A-Z]/g, (char) => `-${char.toLowerCase()}`);
  const skip = new Set(['optimizer', 'likelihood', 'init', 'binarize', 'klAnneal', 'ema', 'restartThreshold']);
  const words = Object.entries(flags)
    .filter(([key, value]) => !skip.has(key) && !(key.endsWith('imit') && value === 0))
    .flatMap(([key, value]) =>
      typeof value === 'boolean'
        ? value
          ? [`--${kebab(key)}`]
          : [`--no-${kebab(key)}`]
        : [`--${kebab(key)}`, String(value)],
    );
  const out =
    command === 'prior train' ? ['--codes', 'codes/', '--out', 'runs/prior'] : ['--out', `runs/${settings.model}`];
  return ['vaejs', command, ...words, ...out].join(' ');
}
