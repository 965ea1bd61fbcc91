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
  samplePreviews,
  type TwoStageSampler,
} from '@vaejs/pixelcnn-prior';
import { DEFAULT_FIT_OPTIONS, dataSummary, fileRunSource } from '@vaejs/training';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { runReader } from './models';
import { memoryLimit, withBackendFlags, withRunFlags } from './options';
import { integer, pathText, positive, seed, UsageError } from './parse';
import { resumable, vqvaeOfCodes } from './run-flags';
import { checkSize, givenSizes } from './size-check';
import { checkRunFolder, checkSameCodes, resumedModel, trainFromFlags } from './training-run';

const FN = 'vaejs prior train';
/** The size flags of `vaejs prior train`, which --max-memory may blame. */
const PRIOR_SIZES = ['channels', 'layers', 'batchSize'];

export function priorTrainCommand() {
  const command = new Command('train')
    .description('train a PixelCNN prior on code maps written by vaejs encode')
    .requiredOption('--codes <folder>', 'a folder written by vaejs encode', pathText)
    .requiredOption('--out <folder>', 'run folder for the prior', pathText)
    .addOption(
      new Option('--architecture <kind>', 'gated PixelCNN (no blind spot) or the original masked one')
        .choices(['gated', 'masked'] as const)
        .default(DEFAULT_PIXELCNN_CONFIG.architecture as 'gated' | 'masked'),
    )
    .option('--channels <n>', 'channels of every layer', integer(1, 4096), DEFAULT_PIXELCNN_CONFIG.channels)
    .option('--layers <n>', 'gated (or masked) layers', integer(1, 256), DEFAULT_PIXELCNN_CONFIG.layers)
    .option('--conditional', 'condition on the class labels', false)
    .option('--no-conditional', 'an unconditional prior (default)')
    .option('--epochs <n>', 'epochs to train (with --resume: the total to reach)', integer(), 10)
    .option('--batch-size <n>', 'code maps per batch', integer(1, 65536), DEFAULT_FIT_OPTIONS.batchSize)
    .option('--lr <rate>', 'learning rate (Adam)', positive, DEFAULT_FIT_OPTIONS.learningRate)
    .option('--seed <n>', 'seed of everything random', seed, DEFAULT_FIT_OPTIONS.seed)
    .option('--limit <n>', 'train on the first N code maps only (0: all)', integer(0), 0)
    .option('--test-limit <n>', 'test on the first N code maps only (0: all)', integer(0), 0);
  return withBackendFlags(withRunFlags(command)).action(async (options, self) => {
    await trainPrior(options, self);
  });
}

type PriorOptions = Parameters<Parameters<ReturnType<typeof priorTrainCommand>['action']>[0]>[0];

export async function trainPrior(given: PriorOptions, command: Command): Promise<void> {
  await checkRunFolder(FN, command, given, 'prior train', resumable('codes'));
  const options = command.opts() as PriorOptions;
  if (options.resume) await checkSameCodes(FN, options.out, options.codes);
  const codes = readCodesManifest(options.codes);
  const backend = await setupBackendFromFlags(options);
  const limit = (count: number) => (count ? { limit: count } : {});
  const train = loadCodeMaps(options.codes, { split: 'train', ...limit(options.limit) });
  const test = loadCodeMaps(options.codes, { split: 'test', ...limit(options.testLimit) });
  if (options.conditional && codes.numClasses < 2) {
    throw new UsageError(`${FN}: expected --codes with labels for --conditional, got '${options.codes}' without.`);
  }
  process.stderr.write(`data: ${dataSummary({ train, test })}\n`);
  const estimate = (flags: PriorOptions) => estimatePixelCnnSize(priorConfig(flags, codes), flags.batchSize);
  checkSize(FN, options.maxMemory, options, givenSizes(command, PRIOR_SIZES), estimate);
  const resumed = await resumedModel(FN, options);
  if (resumed === 'finished') return;
  const prior = (resumed ?? createPixelCnn(priorConfig(options, codes))) as PixelCnn;
  const decoded = await samplerOf(options.codes, prior, options.maxMemory);
  try {
    await trainFromFlags(
      command,
      'prior train',
      prior,
      { train, test },
      { ...options, backendLabel: backend.label },
      {
        previews: decoded ? samplePreviews(decoded.sampler) : false,
      },
    );
  } finally {
    decoded?.vqvae.dispose();
  }
}

/** The prior the flags describe, over the code maps of `codes`. */
function priorConfig(options: PriorOptions, codes: CodesManifest): PixelCnnConfig {
  const { architecture, channels, layers, seed } = options;
  const { numCategories, height, width } = codes;
  return {
    numCategories,
    height,
    width,
    architecture,
    channels,
    layers,
    seed,
    numClasses: options.conditional ? codes.numClasses : 0,
  };
}

/** The prior with the VQ-VAE its code maps came from, when that is still there and fits it (for the pictures). */
async function samplerOf(
  codes: string,
  prior: PixelCnn,
  maxMemory: number,
): Promise<{ sampler: TwoStageSampler; vqvae: VqVae } | null> {
  const run = vqvaeOfCodes(codes);
  if (run === undefined || !existsSync(run)) return null;
  const where = { fn: FN, argument: 'codes.json vqvaeRun', kinds: ['vqvae'], memory: memoryLimit(maxMemory, 16) };
  const vqvae = (await runReader.open(fileRunSource(run), where)).model as VqVae;
  const sampler = createTwoStageSampler(prior, vqvae);
  if (sampler.mismatch === null) return { sampler, vqvae };
  vqvae.dispose();
  return null;
}
