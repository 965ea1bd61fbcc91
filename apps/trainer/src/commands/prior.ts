import { existsSync } from 'node:fs';
import { createPixelCnn, type PixelCnnConfigInput } from '@vaejs/pixelcnn-prior';
import { type FlagSpec, helpText, type ParsedFlags, parseFlags } from '../args';
import { setupBackendFromFlags } from '../backend';
import { codeEpochData, readCodeMaps, readCodesManifest } from '../models/code-maps';
import { loadPixelCnnFolder, pixelCnnTrainable } from '../models/prior-model';
import { loadVqVaeFolder } from '../models/vqvae-model';
import { BACKEND_FLAGS } from './flags';
import { latestCheckpointOf, prepareRunFolder, resumedFlags, writeRunConfig } from './run-folder';
import { runTrainingLoop } from './train-loop';

const FN = 'vaejs prior train';

const PRIOR_FLAGS: FlagSpec[] = [
  { name: 'codes', type: 'string', help: 'a folder written by vaejs encode; required' },
  { name: 'out', type: 'string', help: 'run folder for the prior; required' },
  {
    name: 'architecture',
    type: 'choice',
    choices: ['gated', 'masked'],
    default: 'gated',
    help: 'gated PixelCNN (no blind spot) or the original masked one',
  },
  { name: 'channels', type: 'int', default: 64, help: 'channels of every layer' },
  { name: 'layers', type: 'int', default: 6, help: 'gated (or masked) layers' },
  { name: 'conditional', type: 'boolean', default: false, help: 'condition on the class labels' },
  { name: 'epochs', type: 'int', default: 10, help: 'epochs to train (with --resume: the total to reach)' },
  { name: 'batch-size', type: 'int', default: 128, help: 'code maps per batch' },
  { name: 'lr', type: 'number', default: 0.001, min: 1e-12, help: 'Adam learning rate' },
  { name: 'seed', type: 'int', default: 0, min: 0, help: 'seed of everything random' },
  { name: 'resume', type: 'boolean', default: false, help: 'continue the run in --out from its last checkpoint' },
  ...BACKEND_FLAGS,
];

export const priorTrainCommand = {
  summary: 'train a PixelCNN prior on code maps written by vaejs encode',
  help: () =>
    helpText(
      'vaejs prior train --codes <codes folder> --out <run folder>',
      'Trains a gated PixelCNN on the code maps by categorical cross-entropy; reports nats per position and bits/dim.',
      PRIOR_FLAGS,
    ),
  run: async (argv: string[]) => {
    await trainPrior(parseFlags(FN, PRIOR_FLAGS, argv));
  },
};

export async function trainPrior(parsed: ParsedFlags, options: { quiet?: boolean } = {}): Promise<void> {
  const { runDir, resume } = prepareRunFolder(FN, parsed.out as string | undefined, Boolean(parsed.resume));
  const flags = resume ? resumedFlags(FN, runDir, parsed) : parsed;
  const codesDir = flags.codes as string | undefined;
  if (!codesDir) throw new Error(`${FN}: expected --codes a folder written by vaejs encode, got nothing.`);
  const manifest = readCodesManifest(FN, codesDir);
  const backend = await setupBackendFromFlags(flags);
  const train = readCodeMaps(FN, codesDir, 'train');
  const test = readCodeMaps(FN, codesDir, 'test');
  const config: PixelCnnConfigInput = {
    numCategories: manifest.codebookSize,
    height: manifest.height,
    width: manifest.width,
    architecture: flags.architecture as 'gated' | 'masked',
    channels: flags.channels as number,
    layers: flags.layers as number,
    numClasses: flags.conditional ? manifest.numClasses : 0,
    seed: flags.seed as number,
  };
  const prior = resume ? await loadPixelCnnFolder(resume.dir, FN) : createPixelCnn(config);
  const vqvae = existsSync(manifest.vqvaeRun)
    ? await loadVqVaeFolder(latestCheckpointOf(FN, manifest.vqvaeRun, 'vqvae').dir, FN)
    : null;
  const model = pixelCnnTrainable(prior, vqvae ? (maps) => vqvae.decode(maps) : null);
  writeRunConfig(runDir, {
    command: 'prior train',
    flags,
    model: { ...prior.config },
    createdAt: new Date().toISOString(),
  });
  try {
    await runTrainingLoop({
      command: FN,
      runDir,
      model,
      epochs: flags.epochs as number,
      learningRate: flags.lr as number,
      seed: flags.seed as number,
      backend: backend.fast ? `${backend.name}-fast` : backend.name,
      trainData: (epoch) =>
        codeEpochData(train, {
          batchSize: flags.batchSize as number,
          seed: flags.seed as number,
          epoch,
          shuffle: true,
        }),
      testData: () => codeEpochData(test, { batchSize: 500, seed: 0, epoch: 0, shuffle: false }),
      ...(resume ? { resume } : {}),
      ...(options.quiet ? { quiet: true } : {}),
    });
  } finally {
    model.dispose();
    vqvae?.dispose();
  }
}
