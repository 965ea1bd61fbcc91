/** `vaejs prior train`: a PixelCNN prior over the code maps `vaejs encode` wrote, trained by `fit`. */
import { existsSync } from 'node:fs';
import { Command, Option } from '@commander-js/extra-typings';
import { loadCodeMaps, readCodesManifest } from '@vaejs/datasets';
import { checkPriorFits, createPixelCnn, DEFAULT_PIXELCNN_CONFIG, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { DEFAULT_FIT_OPTIONS, findLatestCheckpoint, fit, type PreviewFunction } from '@vaejs/training';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { locateCheckpoint } from './checkpoints';
import { createFromManifest, loadCheckpointModel } from './models';
import { flagValues, withBackendFlags, withRunFlags } from './options';
import { integer, number, text, UsageError } from './parse';
import { progressBar } from './progress';
import { resumeFlags } from './resume';
import { checkSameCodes, nothingToTrain, refuseExistingRun } from './run-guard';
import { checkSize } from './size-check';

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

export async function trainPrior(given: PriorOptions, command: Command): Promise<void> {
  if (given.resume) resumeFlags(FN, command, given.out, 'prior train', PRIOR_RESUMABLE);
  else refuseExistingRun(FN, given.out);
  const options = command.opts() as PriorOptions;
  if (options.resume) checkSameCodes(FN, options.out, options.codes);
  const manifest = readCodesManifest(options.codes);
  const backend = await setupBackendFromFlags(options);
  const limit = (count: number) => (count ? { limit: count } : {});
  const train = loadCodeMaps(options.codes, { split: 'train', ...limit(options.limit) });
  const test = loadCodeMaps(options.codes, { split: 'test', ...limit(options.testLimit) });
  if (options.conditional && manifest.numClasses < 2) {
    throw new UsageError(`${FN}: expected --codes with labels for --conditional, got '${options.codes}' without.`);
  }
  checkSize(
    FN,
    {
      model: 'pixelcnn',
      batchSize: options.batchSize,
      channels: options.channels,
      layers: options.layers,
      codebookSize: manifest.numCategories,
    },
    { height: manifest.height, width: manifest.width, channels: 1, classes: manifest.numClasses },
    options.maxMemory,
  );
  const checkpoint = options.resume ? findLatestCheckpoint(options.out) : null;
  if (nothingToTrain(checkpoint, options.epochs, options.out)) return;
  const prior = (
    checkpoint
      ? createFromManifest(checkpoint.info.kind, checkpoint.manifest.config, FN)
      : createPixelCnn({
          numCategories: manifest.numCategories,
          height: manifest.height,
          width: manifest.width,
          architecture: options.architecture,
          channels: options.channels,
          layers: options.layers,
          numClasses: options.conditional ? manifest.numClasses : 0,
          seed: options.seed,
        })
  ) as PixelCnn;
  const vqvae = await decoderOf(manifest.source, prior);
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
        previews: vqvae ? samplesDecodedBy(vqvae) : false,
        runInfo: { command: 'prior train', flags: flagValues(command) },
        backendLabel: backend.label,
      },
    );
  } finally {
    prior.dispose();
    vqvae?.dispose();
  }
  process.stderr.write(`run folder: ${options.out}\n`);
}

/** The VQ-VAE the codes came from, when it is still there and fits the prior (for the pictures). */
async function decoderOf(source: Record<string, unknown> | undefined, prior: PixelCnn): Promise<VqVae | null> {
  const run = source?.vqvaeRun;
  if (typeof run !== 'string' || !existsSync(run)) return null;
  const vqvae = (await loadCheckpointModel(locateCheckpoint(FN, 'codes.json vqvaeRun', run), FN, ['vqvae']))
    .model as VqVae;
  const [height, width] = vqvae.latentShape;
  if (checkPriorFits(prior, { numCategories: vqvae.config.codebookSize, height, width }) !== null) {
    vqvae.dispose();
    return null;
  }
  return vqvae;
}

/** The pictures of a prior's epoch: 16 sampled maps decoded by the VQ-VAE (labels cycling for a conditional prior). */
function samplesDecodedBy(vqvae: VqVae): PreviewFunction {
  return async (model, _sample, { seed }) => {
    const prior = model as PixelCnn;
    const classes = prior.config.numClasses;
    const labels = classes > 0 ? Array.from({ length: 16 }, (_, i) => i % classes) : undefined;
    const maps = await prior.sample(16, { seed, ...(labels ? { labels } : {}) });
    try {
      return { samples: { images: vqvae.decode(maps), columns: 4 } };
    } finally {
      maps.dispose();
    }
  };
}
