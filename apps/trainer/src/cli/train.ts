/** `vaejs train`: flags → a model of @vaejs/vae or @vaejs/vqvae → `fit` of @vaejs/training. */
import { Command, Option } from '@commander-js/extra-typings';
import { type Corruption, type ImageDataset, loadSplits } from '@vaejs/datasets';
import { DEFAULT_FIT_OPTIONS, dataSummary, klAnnealing, runFormat } from '@vaejs/training';
import { createVae, DEFAULT_VAE_CONFIG, estimateVaeSize } from '@vaejs/vae';
import { createVqVae, DEFAULT_VECTOR_QUANTIZER_CONFIG, estimateVqVaeSize } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { type Model, TRAIN_MODELS, type TrainModel, vaeConfig, vqVaeConfig } from './models';
import { type AnyCommand, isGiven, kebab, withBackendFlags, withRunFlags } from './options';
import { integer, number, pathText, positive, seed, UsageError } from './parse';
import { checkQuantizerFlags, levelList, QUANTIZER_FLAGS, QUANTIZERS, type Quantizer } from './quantizer-flags';
import { resumable } from './run-flags';
import { checkSize, givenSizes } from './size-check';
import { checkRunFolder, checkSameImages, resumedModel, trainFromFlags } from './training-run';

const FN = 'vaejs train';
const VARIATIONAL: readonly TrainModel[] = ['vae', 'beta-vae', 'cvae'];
const VAE_FAMILY: readonly TrainModel[] = ['ae', 'dae', 'vae', 'beta-vae', 'cvae'];

/**
 * Which models a model-specific flag applies to: giving it with another model is an error (one meaning per flag),
 * rather than a value silently ignored.
 */
export const TRAIN_FLAG_MODELS: Record<string, readonly TrainModel[]> = {
  ...Object.fromEntries(['arch', 'latentDim', 'hidden', 'likelihood', 'init'].map((key) => [key, VAE_FAMILY])),
  ...Object.fromEntries(['beta', 'klAnneal', 'klWarmupEpochs'].map((key) => [key, VARIATIONAL])),
  noise: ['dae'],
  noiseLevel: ['dae'],
  ...Object.fromEntries(
    [
      'codeDim',
      'codebookSize',
      'commitmentCost',
      'ema',
      'restartThreshold',
      'dataVariance',
      'quantizer',
      'codeProjection',
    ]
      .concat(Object.keys(QUANTIZER_FLAGS))
      .map((key) => [key, ['vqvae']]),
  ),
};

/** The size flags of `vaejs train`, which --max-memory may blame. */
const TRAIN_SIZES = ['hidden', 'latentDim', 'channels', 'codeDim', 'codebookSize', 'batchSize'];

export function trainCommand() {
  const command = new Command('train')
    .description('train an AE, DAE, VAE, beta-VAE, conditional VAE or VQ-VAE on images')
    .addOption(new Option('--model <kind>', 'what to train').choices(TRAIN_MODELS).default('vae' as TrainModel))
    .addOption(
      new Option('--arch <arch>', 'VAE family: mlp (PyTorch examples/vae, fast on a CPU) or conv')
        .choices(['mlp', 'conv'] as const)
        .default('mlp' as 'mlp' | 'conv'),
    )
    .option('--dataset <name>', 'mnist, fashion-mnist, or a folder of IDX files or PNG images', pathText, 'mnist')
    .option('--image-size <n>', 'image folders: resize images to this side length', integer(1, 1024))
    .option('--epochs <n>', 'epochs to train (with --resume: the total to reach)', integer(), 10)
    .option('--batch-size <n>', 'images per batch', integer(1, 65536), DEFAULT_FIT_OPTIONS.batchSize)
    .option('--lr <rate>', 'learning rate', positive, DEFAULT_FIT_OPTIONS.learningRate)
    .addOption(
      new Option('--optimizer <name>', 'optimizer')
        .choices(['adam', 'rmsprop', 'sgd'] as const)
        .default('adam' as 'adam' | 'rmsprop' | 'sgd'),
    )
    .option('--latent-dim <n>', 'VAE family: size of z (default 20 for mlp, 16 for conv)', integer(1, 4096))
    .option(
      '--hidden <n>',
      `VAE family, mlp: hidden units (default ${DEFAULT_VAE_CONFIG.hidden[0]})`,
      integer(1, 65536),
    )
    .option(
      '--channels <n>',
      'conv models: channels of the first conv layer (the second has twice as many)',
      integer(1, 4096),
    )
    .option('--beta <weight>', 'VAE: weight of the KL term (beta-VAE; default 1, 4 for beta-vae)', number(0, 1e6))
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
    .option('--kl-warmup-epochs <n>', 'VAE: epochs of linear warm-up (or of one cycle for cyclical)', number(0, 1e6), 1)
    .addOption(
      new Option('--noise <kind>', 'DAE: corruption of the input')
        .choices(['gaussian', 'salt-pepper'] as const)
        .default('gaussian' as 'gaussian' | 'salt-pepper'),
    )
    .option(
      '--noise-level <x>',
      'DAE: noise std (gaussian) or share of pixels flipped (salt-pepper)',
      number(0, 1),
      0.3,
    )
    .option('--code-dim <n>', 'VQ-VAE: size D of each code vector (the Keras example: 16)', integer(1, 4096), 16)
    .option('--codebook-size <n>', 'VQ-VAE: number of codes K (the Keras example: 128)', integer(2, 65536), 128)
    .option(
      '--commitment-cost <weight>',
      `VQ-VAE: weight of the commitment loss (default ${DEFAULT_VECTOR_QUANTIZER_CONFIG.beta})`,
      number(0, 1e6),
    )
    .option('--ema', 'VQ-VAE: EMA codebook updates (default)', true)
    .option('--no-ema', 'VQ-VAE: learn the codebook by its loss instead')
    .option(
      '--restart-threshold <count>',
      'VQ-VAE: restart codes used less than this (EMA count; 0: never)',
      number(0, 1e9),
      1,
    )
    .addOption(
      new Option(
        '--quantizer <kind>',
        'VQ-VAE: vq (nearest code), fsq (finite scalar), lfq (lookup-free), rvq (residual)',
      )
        .choices(QUANTIZERS)
        .default('vq' as Quantizer),
    )
    .option('--levels <list>', 'VQ-VAE, fsq: levels per channel (default 8,4,4: 3 channels, 128 codes)', levelList)
    .option(
      '--num-quantizers <n>',
      'VQ-VAE, rvq: quantisers of the residual, one after another (default 2)',
      integer(1, 64),
    )
    .option('--shared-codebook', 'VQ-VAE, rvq: one codebook for every level')
    .option('--quantizer-dropout', 'VQ-VAE, rvq: train each step on the first n levels, n at random')
    .option('--rotation-trick', 'VQ-VAE, vq and rvq: the rotation trick instead of the straight-through gradient')
    .option(
      '--codebook-dim <d>',
      'VQ-VAE, vq and rvq: codes of size d, with learnt maps from and to --code-dim',
      integer(1, 4096),
    )
    .option(
      '--orthogonal-weight <w>',
      'VQ-VAE, vq and rvq with --no-ema: orthogonal regularisation of the codebook',
      number(0, 1e6),
    )
    .option(
      '--code-projection <n>',
      "VQ-VAE: a learnt linear map from the codes to n channels before the decoder (default: the decoder's first width with fsq, 0 = none otherwise)",
      integer(0, 4096),
    )
    .option('--entropy-weight <w>', 'VQ-VAE, lfq: weight of the entropy penalty (default 0.1)', number(0, 1e6))
    .option(
      '--data-variance <x>',
      "VQ-VAE: divide the reconstruction MSE by this (default: the training images' pixel variance)",
      number(0, 1e6, true),
    )
    .addOption(
      new Option('--init <kind>', "VAE family: PyTorch's U(±1/√fan_in) or Keras' Glorot initialisation")
        .choices(['pytorch', 'glorot'] as const)
        .default('pytorch' as 'pytorch' | 'glorot'),
    )
    .option(
      '--seed <n>',
      'seed of every random choice (same seed on cpu: same numbers)',
      seed,
      DEFAULT_FIT_OPTIONS.seed,
    )
    .option('--limit <n>', 'train on the first N images only (0: all)', integer(0), 0)
    .option('--test-limit <n>', 'evaluate on the first N test images only (0: all)', integer(0), 0)
    .requiredOption(
      '--out <folder>',
      `run folder (${runFormat.RUN_CONFIG_FILE}, ${runFormat.METRICS_FILE}, pictures, ${runFormat.CHECKPOINTS_DIR}/)`,
      pathText,
    );
  return withBackendFlags(withRunFlags(command)).action(async (options, self) => {
    await train(options, self);
  });
}

type TrainOptions = Parameters<Parameters<ReturnType<typeof trainCommand>['action']>[0]>[0];

async function train(given: TrainOptions, command: Command): Promise<void> {
  await checkRunFolder(FN, command, given, 'train', resumable('dataset', 'maxMemory'));
  const options = command.opts() as TrainOptions;
  checkModelFlags(command, options.model);
  checkQuantizerFlags(FN, command, options);
  const backend = await setupBackendFromFlags(options);
  const { train: trainSet, test: testSet } = loadSplits({
    dataset: options.dataset,
    limit: options.limit,
    testLimit: options.testLimit,
    ...(options.imageSize ? { imageSize: options.imageSize } : {}),
    maxBytes: options.maxMemory * 2 ** 20,
    fn: FN,
    argument: '--dataset',
  });
  const sizes = { train: trainSet.size, test: testSet.size };
  if (options.resume) await checkSameImages(FN, options.out, options.dataset, sizes);
  if (options.model === 'cvae' && trainSet.numClasses < 2) {
    throw new UsageError(`${FN}: expected --dataset with labels for --model cvae, got '${options.dataset}' without.`);
  }
  process.stderr.write(`data: ${dataSummary({ train: trainSet, test: testSet })}\n`);
  checkSize(FN, options.maxMemory, options, givenSizes(command, TRAIN_SIZES), (flags) => trainSize(flags, trainSet));
  const resumed = await resumedModel(FN, options);
  if (resumed === 'finished') return;
  const model =
    resumed ??
    (options.model === 'vqvae' ? createVqVae(vqVaeConfig(options, trainSet)) : createVae(vaeConfig(options, trainSet)));
  const stepOptions = klStepOptions(options, model, Math.ceil(trainSet.size / options.batchSize));
  await trainFromFlags(
    command,
    'train',
    model,
    { train: trainSet, test: testSet },
    { ...options, backendLabel: backend.label },
    {
      optimizer: options.optimizer,
      batches: { binarize: options.binarize, corruption: corruptionOf(options) },
      ...(stepOptions ? { stepOptions } : {}),
    },
  );
}

/** Refuses a model-specific flag given with another model (`--codebook-size` with `--model vae`). */
function checkModelFlags(command: AnyCommand, model: TrainModel): void {
  for (const [key, models] of Object.entries(TRAIN_FLAG_MODELS)) {
    if (isGiven(command, key) && !models.includes(model)) {
      throw new UsageError(
        `${FN}: expected --${kebab(key)} only with --model ${models.join(' | ')}, got it with --model ${model}.`,
      );
    }
  }
}

/** One training step of the model the flags describe, as its package estimates it (the data's variance aside). */
function trainSize(flags: TrainOptions, data: ImageDataset) {
  return flags.model === 'vqvae'
    ? estimateVqVaeSize(vqVaeConfig({ ...flags, dataVariance: flags.dataVariance ?? 1 }, data), flags.batchSize)
    : estimateVaeSize(vaeConfig(flags, data), flags.batchSize);
}

/** The denoising AE's corruption of its input (none for the other models). */
function corruptionOf(options: TrainOptions): Corruption | null {
  if (options.model !== 'dae') return null;
  return options.noise === 'salt-pepper'
    ? { type: 'salt-and-pepper', amount: options.noiseLevel }
    : { type: 'gaussian', std: options.noiseLevel };
}

/** The KL weight schedule of --kl-anneal, as fit's per-step options (none for constant weights, or a model without β). */
function klStepOptions(options: TrainOptions, model: Model, stepsPerEpoch: number) {
  const beta = (model.config as { beta?: number }).beta;
  if (beta === undefined) return undefined;
  const { klAnneal: schedule, klWarmupEpochs: warmupEpochs, epochs } = options;
  return klAnnealing({ schedule, beta, warmupEpochs, epochs, stepsPerEpoch });
}
