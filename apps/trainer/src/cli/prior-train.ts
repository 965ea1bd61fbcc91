/** `vaejs prior train`: a PixelCNN prior over the code maps `vaejs encode` wrote, trained by `fit`. */
import { existsSync } from 'node:fs';
import { Command, Option } from '@commander-js/extra-typings';
import { type CodesManifest, loadCodeMaps, readCodesManifest } from '@vaejs/datasets';
import {
  createPixelCnn,
  createTwoStageSampler,
  DEFAULT_PIXELCNN_CONFIG,
  estimatePixelCnnSize,
  type PixelCnn,
  type PixelCnnConfig,
  type TwoStageSampler,
} from '@vaejs/pixelcnn-prior';
import { DEFAULT_FIT_OPTIONS, fileRunSource, fit, type PreviewFunction } from '@vaejs/training';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { runReader } from './models';
import { flagValues, withBackendFlags, withRunFlags } from './options';
import { integer, number, text, UsageError } from './parse';
import { progressBar } from './progress';
import { resumeFlags } from './resume';
import { checkSameCodes, latestCheckpoint, nothingToTrain, refuseExistingRun } from './run-guard';
import { checkSize, givenSizes } from './size-check';

const FN = 'vaejs prior train';
const PRIOR_RESUMABLE = [
  'epochs',
  'lr',
  'backend',
  'fast',
  'native',
  'threads',
  'out',
  'resume',
  'codes',
  'checkpointEvery',
  'config',
];

export function priorTrainCommand() {
  const command = new Command('train')
    .description('train a PixelCNN prior on code maps written by vaejs encode')
    .requiredOption('--codes <folder>', 'a folder written by vaejs encode', text('--codes'))
    .requiredOption('--out <folder>', 'run folder for the prior', text('--out'))
    .addOption(
      new Option('--architecture <kind>', 'gated PixelCNN (no blind spot) or the original masked one')
        .choices(['gated', 'masked'] as const)
        .default(DEFAULT_PIXELCNN_CONFIG.architecture as 'gated' | 'masked'),
    )
    .option(
      '--channels <n>',
      'channels of every layer',
      integer('--channels', 1, 4096),
      DEFAULT_PIXELCNN_CONFIG.channels,
    )
    .option('--layers <n>', 'gated (or masked) layers', integer('--layers', 1, 256), DEFAULT_PIXELCNN_CONFIG.layers)
    .option('--conditional', 'condition on the class labels', false)
    .option('--no-conditional', 'an unconditional prior (default)')
    .option('--epochs <n>', 'epochs to train (with --resume: the total to reach)', integer('--epochs'), 10)
    .option('--batch-size <n>', 'code maps per batch', integer('--batch-size', 1, 65536), DEFAULT_FIT_OPTIONS.batchSize)
    .option(
      '--lr <rate>',
      'learning rate (Adam)',
      number('--lr', 0, Number.POSITIVE_INFINITY, true),
      DEFAULT_FIT_OPTIONS.learningRate,
    )
    .option('--seed <n>', 'seed of everything random', integer('--seed', 0, 2 ** 53 - 1), DEFAULT_FIT_OPTIONS.seed)
    .option('--limit <n>', 'train on the first N code maps only (0: all)', integer('--limit', 0), 0)
    .option('--test-limit <n>', 'test on the first N code maps only (0: all)', integer('--test-limit', 0), 0);
  return withBackendFlags(withRunFlags(command)).action(async (options, self) => {
    await trainPrior(options, self);
  });
}

type PriorOptions = Parameters<Parameters<ReturnType<typeof priorTrainCommand>['action']>[0]>[0];

/** The size flags of `vaejs prior train`, which --max-memory may blame. */
const PRIOR_SIZES = ['channels', 'layers', 'batchSize'];

export async function trainPrior(given: PriorOptions, command: Command): Promise<void> {
  if (given.resume) await resumeFlags(FN, command, given.out, 'prior train', PRIOR_RESUMABLE);
  else await refuseExistingRun(FN, given.out);
  const options = command.opts() as PriorOptions;
  if (options.resume) await checkSameCodes(FN, options.out, options.codes);
  const manifest = readCodesManifest(options.codes);
  const backend = await setupBackendFromFlags(options);
  const limit = (count: number) => (count ? { limit: count } : {});
  const train = loadCodeMaps(options.codes, { split: 'train', ...limit(options.limit) });
  const test = loadCodeMaps(options.codes, { split: 'test', ...limit(options.testLimit) });
  if (options.conditional && manifest.numClasses < 2) {
    throw new UsageError(`${FN}: expected --codes with labels for --conditional, got '${options.codes}' without.`);
  }
  const sizes = givenSizes(command, PRIOR_SIZES);
  checkSize(FN, options.maxMemory, options, sizes, (flags) =>
    estimatePixelCnnSize(priorConfig(flags, manifest), flags.batchSize),
  );
  const checkpoint = options.resume ? await latestCheckpoint(options.out) : null;
  const finished = nothingToTrain(checkpoint, options.epochs, options.out);
  if (finished) return void process.stderr.write(`${finished}\n`);
  const prior = (
    checkpoint
      ? runReader.create(checkpoint.kind, checkpoint.manifest.config, { fn: FN })
      : createPixelCnn(priorConfig(options, manifest))
  ) as PixelCnn;
  const sampler = await samplerOf(manifest.source, prior);
  const bar = progressBar();
  try {
    await fit(
      prior,
      { train, test },
      {
        epochs: options.epochs,
        batchSize: options.batchSize,
        seed: options.seed,
        learningRate: options.lr,
        runDir: options.out,
        resume: options.resume,
        checkpointEvery: options.checkpointEvery,
        callbacks: bar ? [bar] : [],
        previews: sampler ? samplesOf(sampler.sampler) : false,
        runInfo: { command: 'prior train', flags: flagValues(command) },
        backendLabel: backend.label,
      },
    );
  } finally {
    prior.dispose();
    sampler?.vqvae.dispose();
  }
  process.stderr.write(`run folder: ${options.out}\n`);
}

/** The prior the flags describe, over the code maps of `codes`. */
function priorConfig(options: PriorOptions, codes: CodesManifest): PixelCnnConfig {
  return {
    numCategories: codes.numCategories,
    height: codes.height,
    width: codes.width,
    architecture: options.architecture,
    channels: options.channels,
    layers: options.layers,
    numClasses: options.conditional ? codes.numClasses : 0,
    seed: options.seed,
  };
}

/** The prior with the VQ-VAE its codes came from, when that is still there and fits it (for the pictures). */
async function samplerOf(
  source: Record<string, unknown> | undefined,
  prior: PixelCnn,
): Promise<{ sampler: TwoStageSampler; vqvae: VqVae } | null> {
  const run = source?.vqvaeRun;
  if (typeof run !== 'string' || !existsSync(run)) return null;
  const where = { fn: FN, argument: 'codes.json vqvaeRun', kinds: ['vqvae'] };
  const vqvae = (await runReader.load(await runReader.locate(fileRunSource(run), where))) as VqVae;
  const sampler = createTwoStageSampler(prior, vqvae);
  if (sampler.mismatch === null) return { sampler, vqvae };
  vqvae.dispose();
  return null;
}

/** The pictures of a prior's epoch: 16 sampled maps decoded by the VQ-VAE (labels cycling for a conditional prior). */
function samplesOf(sampler: TwoStageSampler): PreviewFunction {
  return async (model, _sample, { seed }) => {
    const classes = (model as PixelCnn).config.numClasses;
    const labels = classes > 0 ? Array.from({ length: 16 }, (_, i) => i % classes) : undefined;
    const { maps, images } = await sampler.sample(16, { seed, ...(labels ? { labels } : {}) });
    maps.dispose();
    return { samples: { images, columns: 4 } };
  };
}
