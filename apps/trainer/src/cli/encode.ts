/** `vaejs encode`: the code maps of a run's dataset under its VQ-VAE, for a prior to learn. */
import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CodeMapDataset,
  createBatches,
  createCodeMapDataset,
  type ImageDataset,
  writeCodeMaps,
} from '@vaejs/datasets';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { loadSplits } from '../data';
import { locateCheckpoint, runFlags, runOf, savedFolder } from './checkpoints';
import { loadCheckpointModel } from './models';
import { withBackendFlags } from './options';
import { integer, text } from './parse';

const FN = 'vaejs encode';

export function encodeCommand() {
  const command = new Command('encode')
    .description('write the code maps of a dataset under a trained VQ-VAE, for a prior to learn')
    .requiredOption('--run <folder>', 'a VQ-VAE run (or checkpoint) folder', text('--run'))
    .requiredOption(
      '--out <folder>',
      'folder for the code maps (train-codes.idx, test-codes.idx, labels, codes.json)',
      text('--out'),
    )
    .option('--dataset <name>', "images to encode (default: the run's own)", text('--dataset'))
    .option('--limit <n>', 'encode the first N training images only (0: all)', integer('--limit', 0), 0)
    .option('--test-limit <n>', 'encode the first N test images only (0: all)', integer('--test-limit', 0), 0)
    .option('--batch-size <n>', 'images per forward pass', integer('--batch-size', 1, 65536), 500);
  return withBackendFlags(command).action(async (options) => {
    await encode(options);
  });
}

type EncodeOptions = Parameters<Parameters<ReturnType<typeof encodeCommand>['action']>[0]>[0];

async function encodeSplit(
  vqvae: VqVae,
  data: ImageDataset,
  batchSize: number,
  binarize: 'none' | 'static',
): Promise<Int32Array> {
  const [height, width] = vqvae.latentShape;
  const codes = new Int32Array(data.size * height * width);
  let offset = 0;
  for (const batch of createBatches(data, { batchSize, shuffle: false, binarize })) {
    const maps = vqvae.encode(batch.x);
    codes.set(await maps.data(), offset);
    offset += maps.size;
    tf.dispose([maps, batch]);
  }
  return codes;
}

export async function encode(options: EncodeOptions): Promise<void> {
  const checkpoint = locateCheckpoint(FN, '--run', options.run);
  const flags = runFlags(runOf(checkpoint));
  await setupBackendFromFlags(options);
  const vqvae = (await loadCheckpointModel(checkpoint, FN, ['vqvae'])).model as VqVae;
  try {
    const splits = loadSplits(FN, {
      dataset: options.dataset ?? savedFolder(FN, runOf(checkpoint), 'dataset', '--dataset') ?? 'mnist',
      limit: options.limit,
      testLimit: options.testLimit,
      ...(flags.imageSize ? { imageSize: flags.imageSize as number } : {}),
    });
    const binarize = flags.binarize === undefined || flags.binarize === 'none' ? 'none' : 'static';
    const [height, width] = vqvae.latentShape;
    const maps: Record<string, CodeMapDataset> = {};
    for (const [split, data] of Object.entries(splits)) {
      maps[split] = createCodeMapDataset({
        name: `${data.name}-codes`,
        codes: await encodeSplit(vqvae, data, options.batchSize, binarize),
        labels: data.labels,
        height,
        width,
        numCategories: vqvae.config.codebookSize,
        numClasses: data.numClasses,
      });
      process.stderr.write(`${split}: ${data.size} code maps ${height}x${width} (K = ${vqvae.config.codebookSize})\n`);
    }
    writeCodeMaps(options.out, maps, { vqvaeRun: resolve(runOf(checkpoint) ?? checkpoint.location) });
    process.stderr.write(`codes: ${options.out}\n`);
  } finally {
    vqvae.dispose();
  }
}
