/** `vaejs encode`: the code maps of a run's dataset under its VQ-VAE, for a prior to learn. */
import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { type CodeMapDataset, encodeCodeMaps, writeCodeMaps } from '@vaejs/datasets';
import type { VqVae } from '@vaejs/vqvae';
import { withCheckpointModel } from './models';
import { withBackendFlags } from './options';
import { integer, text } from './parse';
import { runFlags, runImages } from './run-flags';

const FN = 'vaejs encode';

export function encodeCommand() {
  const command = new Command('encode')
    .description('write the code maps of a dataset under a trained VQ-VAE, for a prior to learn')
    .requiredOption('--run <folder>', 'a VQ-VAE run (or checkpoint) folder', text)
    .requiredOption(
      '--out <folder>',
      'folder for the code maps (train-codes.idx, test-codes.idx, labels, codes.json)',
      text,
    )
    .option('--dataset <name>', "images to encode (default: the run's own)", text)
    .option('--limit <n>', 'encode the first N training images only (0: all)', integer(0), 0)
    .option('--test-limit <n>', 'encode the first N test images only (0: all)', integer(0), 0)
    .option('--batch-size <n>', 'images per forward pass', integer(1, 65536), 500);
  return withBackendFlags(command).action(async (options) => {
    await encode(options);
  });
}

type EncodeOptions = Parameters<Parameters<ReturnType<typeof encodeCommand>['action']>[0]>[0];

export async function encode(options: EncodeOptions): Promise<void> {
  const where = { fn: FN, argument: '--run', kinds: ['vqvae'] };
  await withCheckpointModel(where, options.run, options, async (model, checkpoint) => {
    const vqvae = model as VqVae;
    const splits = await runImages(FN, checkpoint.run, options);
    // images are encoded as the run saw them: binarised at the threshold when it trained on binary images
    const trained = (await runFlags(checkpoint.run)).binarize;
    const binarize = trained === undefined || trained === 'none' ? 'none' : 'static';
    const [height, width] = vqvae.latentShape;
    const maps: Record<string, CodeMapDataset> = {};
    for (const [split, data] of Object.entries(splits)) {
      maps[split] = await encodeCodeMaps(data, vqvae, { batchSize: options.batchSize, binarize });
      process.stderr.write(`${split}: ${data.size} code maps ${height}x${width} (K = ${vqvae.config.codebookSize})\n`);
    }
    writeCodeMaps(options.out, maps, { vqvaeRun: resolve(checkpoint.run?.location ?? checkpoint.location) });
    process.stderr.write(`codes: ${options.out}\n`);
  });
}
