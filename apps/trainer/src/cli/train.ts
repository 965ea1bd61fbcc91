/** `vaejs train`: flags → a model of @vaejs/vae or @vaejs/vqvae → `fit` of @vaejs/training. */
import { Command, Option } from '@commander-js/extra-typings';
import { type KlScheduleConfig, klSchedule } from '@vaejs/core';
import { type Corruption, type ImageDataset, loadSplits } from '@vaejs/datasets';
import { DEFAULT_FIT_OPTIONS, fit, runFormat } from '@vaejs/training';
import { createVae, DEFAULT_VAE_CONFIG, estimateVaeSize } from '@vaejs/vae';
import { createVqVae, DEFAULT_VECTOR_QUANTIZER_CONFIG, estimateVqVaeSize } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { type Model, runReader, TRAIN_MODELS, type TrainModel, vaeConfig, vqVaeConfig } from './models';
import { flagValues, withBackendFlags, withRunFlags } from './options';
import { integer, number, text, UsageError } from './parse';
import { progressBar } from './progress';
import { checkModelFlags, resumeFlags } from './resume';
import { checkSameImages, latestCheckpoint, nothingToTrain, refuseExistingRun } from './run-guard';
import { checkSize, givenSizes } from './size-check';

const FN = 'vaejs train';
const VARIATIONAL: readonly TrainModel[] = ['vae', 'beta-vae', 'cvae'];
const VAE_FAMILY: readonly TrainModel[] = ['ae', 'dae', 'vae', 'beta-vae', 'cvae'];

/**
 * Which models a model-specific flag applies to: giving it with another model is an error (one meaning per flag),
 * rather than a value silently ignored.
 */
export const TRAIN_FLAG_MODELS: Record<string, readonly TrainModel[]> = {
  arch: VAE_FAMILY,
  latentDim: VAE_FAMILY,
  hidden: VAE_FAMILY,
  beta: VARIATIONAL,
  likelihood: VAE_FAMILY,
  init: VAE_FAMILY,
  klAnneal: VARIATIONAL,
  klWarmupEpochs: VARIATIONAL,
  noise: ['dae'],
  noiseLevel: ['dae'],
  codeDim: ['vqvae'],
  codebookSize: ['vqvae'],
  commitmentCost: ['vqvae'],
  ema: ['vqvae'],
  restartThreshold: ['vqvae'],
  dataVariance: ['vqvae'],
};

/** Flags that may change when a run is resumed; the rest come from the run's config. */
export const TRAIN_RESUMABLE = [
  'epochs',
  'lr',
  'backend',
  'fast',
  'native',
  'threads',
  'out',
  'resume',
  'dataset',
  'checkpointEvery',
  'maxMemory',
  'config',
];

export function trainCommand() {
  const command = new Command('train')
    .description('train an AE, DAE, VAE, beta-VAE, conditional VAE or VQ-VAE on images')
    .addOption(new Option('--model <kind>', 'what to train').choices(TRAIN_MODELS).default('vae' as TrainModel))
    .addOption(
      new Option('--arch <arch>', 'VAE family: mlp (PyTorch examples/vae, fast on a CPU) or conv')
        .choices(['mlp', 'conv'] as const)
        .default('mlp' as 'mlp' | 'conv'),
    )
    .option(
      '--dataset <name>',
      'mnist, fashion-mnist, or a folder of IDX files or PNG images',
      text('--dataset'),
      'mnist',
    )
    .option('--image-size <n>', 'image folders: resize images to this side length', integer('--image-size', 1, 1024))
    .option('--epochs <n>', 'epochs to train (with --resume: the total to reach)', integer('--epochs'), 10)
    .option('--batch-size <n>', 'images per batch', integer('--batch-size', 1, 65536), DEFAULT_FIT_OPTIONS.batchSize)
    .option(
      '--lr <rate>',
      'learning rate',
      number('--lr', 0, Number.POSITIVE_INFINITY, true),
      DEFAULT_FIT_OPTIONS.learningRate,
    )
    .addOption(
      new Option('--optimizer <name>', 'optimizer')
        .choices(['adam', 'rmsprop', 'sgd'] as const)
        .default('adam' as 'adam' | 'rmsprop' | 'sgd'),
    )
    .option(
      '--latent-dim <n>',
      'VAE family: size of z (default 20 for mlp, 16 for conv)',
      integer('--latent-dim', 1, 4096),
    )
    .option(
      '--hidden <n>',
      `VAE family, mlp: hidden units (default ${DEFAULT_VAE_CONFIG.hidden[0]})`,
      integer('--hidden', 1, 65536),
    )
    .option(
      '--channels <n>',
      'conv models: channels of the first conv layer (the second has twice as many)',
      integer('--channels', 1, 4096),
    )
    .option(
      '--beta <weight>',
      'VAE: weight of the KL term (beta-VAE; default 1, 4 for beta-vae)',
      number('--beta', 0, 1e6),
    )
    .addOption(
      new Option('--likelihood <kind>', 'VAE family: reconstruction term (BCE, MSE, or Gaussian with learned variance)')
        .choices(['bernoulli', 'gaussian', 'gaussian-learned'] as const)
        .default(DEFAULT_VAE_CONFIG.likelihood as 'bernoulli' | 'gaussian' | 'gaussian-learned'),
    )
    .addOption(
      new Option('--binarize <mode>', 'binarise the images (none keeps grey levels, as PyTorch examples/vae)')
        .choices(['none', 'static', 'dynamic'] as const)
        .default('none' as 'none' | 'static' | 'dynamic'),
    )
    .addOption(
      new Option('--kl-anneal <schedule>', 'VAE: KL weight schedule over the steps')
        .choices(['constant', 'linear', 'cyclical'] as const)
        .default('constant' as 'constant' | 'linear' | 'cyclical'),
    )
    .option(
      '--kl-warmup-epochs <n>',
      'VAE: epochs of linear warm-up (or of one cycle for cyclical)',
      number('--kl-warmup-epochs', 0, 1e6),
      1,
    )
    .addOption(
      new Option('--noise <kind>', 'DAE: corruption of the input')
        .choices(['gaussian', 'salt-pepper'] as const)
        .default('gaussian' as 'gaussian' | 'salt-pepper'),
    )
    .option(
      '--noise-level <x>',
      'DAE: noise std (gaussian) or share of pixels flipped (salt-pepper)',
      number('--noise-level', 0, 1),
      0.3,
    )
    .option(
      '--code-dim <n>',
      'VQ-VAE: size D of each code vector (the Keras example: 16)',
      integer('--code-dim', 1, 4096),
      16,
    )
    .option(
      '--codebook-size <n>',
      'VQ-VAE: number of codes K (the Keras example: 128)',
      integer('--codebook-size', 2, 65536),
      128,
    )
    .option(
      '--commitment-cost <weight>',
      `VQ-VAE: weight of the commitment loss (default ${DEFAULT_VECTOR_QUANTIZER_CONFIG.beta})`,
      number('--commitment-cost', 0, 1e6),
    )
    .option('--ema', 'VQ-VAE: EMA codebook updates (default)', true)
    .option('--no-ema', 'VQ-VAE: learn the codebook by its loss instead')
    .option(
      '--restart-threshold <count>',
      'VQ-VAE: restart codes used less than this (EMA count; 0: never)',
      number('--restart-threshold', 0, 1e9),
      1,
    )
    .option(
      '--data-variance <x>',
      "VQ-VAE: divide the reconstruction MSE by this (default: the training images' pixel variance)",
      number('--data-variance', 0, 1e6, true),
    )
    .addOption(
      new Option('--init <kind>', "VAE family: PyTorch's U(±1/√fan_in) or Keras' Glorot initialisation")
        .choices(['pytorch', 'glorot'] as const)
        .default('pytorch' as 'pytorch' | 'glorot'),
    )
    .option(
      '--seed <n>',
      'seed of every random choice (same seed on cpu: same numbers)',
      integer('--seed', 0, 2 ** 53 - 1),
      DEFAULT_FIT_OPTIONS.seed,
    )
    .option('--limit <n>', 'train on the first N images only (0: all)', integer('--limit', 0), 0)
    .option('--test-limit <n>', 'evaluate on the first N test images only (0: all)', integer('--test-limit', 0), 0)
    .requiredOption(
      '--out <folder>',
      `run folder (${runFormat.RUN_CONFIG_FILE}, ${runFormat.METRICS_FILE}, pictures, ${runFormat.CHECKPOINTS_DIR}/)`,
      text('--out'),
    );
  return withBackendFlags(withRunFlags(command)).action(async (options, self) => {
    await train(options, self);
  });
}

type TrainOptions = Parameters<Parameters<ReturnType<typeof trainCommand>['action']>[0]>[0];

function corruptionOf(options: TrainOptions): Corruption | null {
  if (options.model !== 'dae') return null;
  return options.noise === 'salt-pepper'
    ? { type: 'salt-and-pepper', amount: options.noiseLevel }
    : { type: 'gaussian', std: options.noiseLevel };
}

/** The size flags of `vaejs train`, which --max-memory may blame. */
const TRAIN_SIZES = ['hidden', 'latentDim', 'channels', 'codeDim', 'codebookSize', 'batchSize'];

async function train(given: TrainOptions, command: Command): Promise<void> {
  if (given.resume) await resumeFlags(FN, command, given.out, 'train', TRAIN_RESUMABLE);
  else await refuseExistingRun(FN, given.out);
  const options = command.opts() as TrainOptions;
  checkModelFlags(FN, command, options.model, TRAIN_FLAG_MODELS);
  const backend = await setupBackendFromFlags(options);
  const { train: trainSet, test: testSet } = loadSplits({
    dataset: options.dataset,
    limit: options.limit,
    testLimit: options.testLimit,
    ...(options.imageSize ? { imageSize: options.imageSize } : {}),
    fn: FN,
    argument: '--dataset',
  });
  if (options.resume) {
    await checkSameImages(FN, options.out, options.dataset, { train: trainSet.size, test: testSet.size });
  }
  if (options.model === 'cvae' && trainSet.numClasses < 2) {
    throw new UsageError(`${FN}: expected --dataset with labels for --model cvae, got '${options.dataset}' without.`);
  }
  process.stderr.write(
    `data: ${trainSet.name} ${trainSet.size} images ${trainSet.imageShape.join('x')}, test ${testSet.size}\n`,
  );
  checkSize(FN, options.maxMemory, options, givenSizes(command, TRAIN_SIZES), (flags) => trainSize(flags, trainSet));
  const checkpoint = options.resume ? await latestCheckpoint(options.out) : null;
  const finished = nothingToTrain(checkpoint, options.epochs, options.out);
  if (finished) return void process.stderr.write(`${finished}\n`);
  const model = (
    checkpoint
      ? runReader.create(checkpoint.kind, checkpoint.manifest.config, { fn: FN })
      : options.model === 'vqvae'
        ? createVqVae(vqVaeConfig(options, trainSet))
        : createVae(vaeConfig(options, trainSet))
  ) as Model;
  const steps = Math.ceil(trainSet.size / options.batchSize);
  const stepOptions = klStepOptions(options, model, steps);
  const corruption = corruptionOf(options);
  const bar = progressBar();
  try {
    await fit(
      model,
      { train: trainSet, test: testSet },
      {
        epochs: options.epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        optimizer: options.optimizer,
        learningRate: options.lr,
        runDir: options.out,
        resume: options.resume,
        checkpointEvery: options.checkpointEvery,
        batches: { binarize: options.binarize, corruption },
        ...(stepOptions ? { stepOptions } : {}),
        callbacks: bar ? [bar] : [],
        runInfo: { command: 'train', flags: flagValues(command) },
        backendLabel: backend.label,
      },
    );
  } finally {
    model.dispose();
  }
  process.stderr.write(`run folder: ${options.out}\n`);
}

/** One training step of the model the flags describe, as its package estimates it (the data's variance aside). */
function trainSize(flags: TrainOptions, data: ImageDataset) {
  return flags.model === 'vqvae'
    ? estimateVqVaeSize(vqVaeConfig({ ...flags, dataVariance: flags.dataVariance ?? 1 }, data), flags.batchSize)
    : estimateVaeSize(vaeConfig(flags, data), flags.batchSize);
}

/** The KL weight schedule of --kl-anneal, as fit's per-step options (none for constant weights). */
function klStepOptions(options: TrainOptions, model: Model, stepsPerEpoch: number) {
  const config = (model as { config: { kind?: string; beta?: number } }).config;
  if (options.klAnneal === 'constant' || config.beta === undefined) return undefined;
  const beta = config.beta;
  const periodSteps = Math.max(1, Math.round(options.klWarmupEpochs * stepsPerEpoch));
  const totalSteps = options.epochs * stepsPerEpoch;
  const schedule: KlScheduleConfig =
    options.klAnneal === 'linear'
      ? { kind: 'linear', warmupSteps: periodSteps, start: 0, end: beta }
      : {
          kind: 'cyclical',
          totalSteps,
          cycles: Math.max(1, Math.round(totalSteps / periodSteps)),
          start: 0,
          end: beta,
        };
  const weight = klSchedule(schedule);
  return ({ step }: { step: number }) => ({ beta: weight(step) });
}
