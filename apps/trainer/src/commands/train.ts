import * as tf from '@tensorflow/tfjs-core';
import { type KlScheduleConfig, klSchedule } from '@vaejs/core';
import { type BatchesConfig, type Corruption, corruptPixels, type ImageDataset } from '@vaejs/datasets';
import type { VaeConfig } from '@vaejs/vae';
import { helpText, type ParsedFlags, parseFlags } from '../args';
import { setupBackendFromFlags } from '../backend';
import { loadSplits } from '../data';
import { imageEpochData, testBinarization } from '../models/image-data';
import type { TrainableModel } from '../models/types';
import { createVaeModel, loadVaeFolder, vaeTrainable } from '../models/vae-model';
import { createVqVaeTrainable, loadVqVaeTrainable, vqVaeModelConfig } from '../models/vqvae-model';
import { TRAIN_FLAGS } from './flags';
import { prepareRunFolder, resumedFlags, writeRunConfig } from './run-folder';
import { runTrainingLoop } from './train-loop';

const FN = 'vaejs train';

export const trainCommand = {
  summary: 'train an AE, DAE, VAE, beta-VAE, conditional VAE or VQ-VAE on images',
  help: () =>
    helpText(
      'vaejs train --out <run folder> [options]',
      'Trains a model on MNIST, Fashion-MNIST or a folder of images. Writes config.json, metrics.jsonl (a line per\nepoch), pictures of reconstructions and samples, loss.png and checkpoints/ into the run folder.',
      TRAIN_FLAGS,
    ),
  run: async (argv: string[]) => {
    await train(parseFlags(FN, TRAIN_FLAGS, argv));
  },
};

function corruptionOf(flags: ParsedFlags): Corruption | null {
  if (flags.model !== 'dae') return null;
  const level = flags.noiseLevel as number;
  return flags.noise === 'salt-pepper' ? { type: 'salt-and-pepper', amount: level } : { type: 'gaussian', std: level };
}

export function vaeModelConfig(flags: ParsedFlags, data: ImageDataset): VaeConfig {
  const arch = flags.arch as 'mlp' | 'conv';
  return {
    inputShape: data.imageShape,
    latentDim: (flags.latentDim as number | undefined) ?? (arch === 'mlp' ? 20 : 16),
    kind: flags.model as VaeConfig['kind'],
    arch,
    likelihood: flags.likelihood as VaeConfig['likelihood'],
    ...(flags.beta !== undefined ? { beta: flags.beta as number } : {}),
    ...(flags.model === 'cvae' ? { numClasses: data.numClasses } : {}),
    ...(flags.hidden !== undefined
      ? arch === 'mlp'
        ? { hidden: flags.hidden as number }
        : { filters: [flags.hidden as number, 2 * (flags.hidden as number)] }
      : {}),
    init: (flags.init as VaeConfig['init']) ?? 'glorot',
    seed: flags.seed as number,
  };
}

export async function train(parsed: ParsedFlags, options: { quiet?: boolean } = {}): Promise<void> {
  const { runDir, resume } = prepareRunFolder(FN, parsed.out as string | undefined, Boolean(parsed.resume));
  const flags = resume ? resumedFlags(FN, runDir, parsed) : parsed;
  const backend = await setupBackendFromFlags(flags);
  const { train: trainSet, test: testSet } = loadSplits(FN, {
    dataset: flags.dataset as string,
    limit: flags.limit as number,
    testLimit: flags.testLimit as number,
    ...(flags.imageSize ? { imageSize: flags.imageSize as number } : {}),
  });
  if (flags.model === 'cvae' && trainSet.numClasses < 2) {
    throw new Error(`${FN}: expected --dataset with labels for --model cvae, got '${flags.dataset}' without.`);
  }
  process.stderr.write(
    `data: ${trainSet.name} ${trainSet.size} images ${trainSet.imageShape.join('x')}, test ${testSet.size}\n`,
  );
  const corruption = corruptionOf(flags);
  const batchConfig = (epoch: number, shuffle: boolean): BatchesConfig => ({
    batchSize: flags.batchSize as number,
    shuffle,
    seed: flags.seed as number,
    epoch,
    binarize: flags.binarize as 'none' | 'static' | 'dynamic',
    corruption,
  });

  let model: TrainableModel;
  let modelConfig: Record<string, unknown>;
  if (flags.model === 'vqvae') {
    const config = vqVaeModelConfig(flags, trainSet);
    model = resume ? await loadVqVaeTrainable(resume.dir, testSet, FN) : createVqVaeTrainable(config, testSet);
    modelConfig = { ...config };
  } else {
    const vae = resume ? await loadVaeFolder(resume.dir, FN) : createVaeModel(vaeModelConfig(flags, trainSet));
    modelConfig = { ...vae.config };
    const stepsPerEpoch = Math.ceil(trainSet.size / (flags.batchSize as number));
    const periodSteps = Math.max(1, Math.round((flags.klWarmupEpochs as number) * stepsPerEpoch));
    const totalSteps = (flags.epochs as number) * stepsPerEpoch;
    const scheduleConfig: KlScheduleConfig | null =
      flags.klAnneal === 'linear'
        ? { kind: 'linear', warmupSteps: periodSteps, start: 0, end: vae.config.beta }
        : flags.klAnneal === 'cyclical'
          ? {
              kind: 'cyclical',
              totalSteps,
              cycles: Math.max(1, Math.round(totalSteps / periodSteps)),
              start: 0,
              end: vae.config.beta,
            }
          : null;
    const schedule = scheduleConfig ? klSchedule(scheduleConfig) : undefined;
    model = vaeTrainable(vae, testSet, {
      ...(schedule ? { beta: schedule } : {}),
      ...(corruption
        ? {
            corrupt: (x: tf.Tensor4D, seed: number) =>
              tf.tensor4d(corruptPixels(x.dataSync() as Float32Array, corruption, seed), x.shape),
          }
        : {}),
    });
  }
  writeRunConfig(runDir, { command: 'train', flags, model: modelConfig, createdAt: new Date().toISOString() });
  try {
    await runTrainingLoop({
      command: FN,
      runDir,
      model,
      epochs: flags.epochs as number,
      learningRate: flags.lr as number,
      seed: flags.seed as number,
      backend: backend.fast ? `${backend.name}-fast` : backend.name,
      trainData: (epoch) => imageEpochData(trainSet, batchConfig(epoch, true)),
      testData: () => imageEpochData(testSet, { ...batchConfig(0, false), ...testBinarization(flags.binarize) }),
      ...(resume ? { resume } : {}),
      ...(options.quiet ? { quiet: true } : {}),
    });
  } finally {
    model.dispose();
  }
  if (!options.quiet) process.stderr.write(`run folder: ${runDir}\n`);
}
