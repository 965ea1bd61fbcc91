/**
 * `vaejs encode`: the code maps of a run's dataset under its VQ-VAE, for a prior to learn: written as a whole folder
 * (`writeCodeMaps`), by one process at a time (a lock beside it), naming the checkpoint that encoded them.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { type CodeMapDataset, encodeCodeMaps, writeCodeMaps } from '@vaejs/datasets';
import { acquireLockFile, formatNumber, loadRunImages, readRunFlags } from '@vaejs/training';
import type { VqVae } from '@vaejs/vqvae';
import { withCheckpointModel } from './models';
import { withBackendFlags, withMaxMemory } from './options';
import { integer, pathText, UsageError } from './parse';

const FN = 'vaejs encode';

export function encodeCommand() {
  const command = new Command('encode')
    .description('write the code maps of a dataset under a trained VQ-VAE, for a prior to learn')
    .requiredOption('--run <folder>', 'a VQ-VAE run (or checkpoint) folder', pathText)
    .requiredOption(
      '--out <folder>',
      'folder for the code maps (train-codes.idx, test-codes.idx, labels, codes.json)',
      pathText,
    )
    .option('--dataset <name>', "images to encode (default: the run's own)", pathText)
    .option('--limit <n>', 'encode the first N training images only (0: all)', integer(0), 0)
    .option('--test-limit <n>', 'encode the first N test images only (0: all)', integer(0), 0)
    .option('--batch-size <n>', 'images per forward pass', integer(1, 65536), 500);
  return withBackendFlags(withMaxMemory(command)).action(async (options) => {
    await encode(options);
  });
}

type EncodeOptions = Parameters<Parameters<ReturnType<typeof encodeCommand>['action']>[0]>[0];

export async function encode(options: EncodeOptions): Promise<void> {
  const out = resolve(options.out);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new UsageError(`${FN}: expected --out a folder for the code maps, got '${options.out}', which is a file.`);
  }
  // one writer per codes folder: a lock beside it (the folder itself is replaced whole)
  mkdirSync(dirname(out), { recursive: true });
  const release = acquireLockFile(join(dirname(out), `.${basename(out)}.lock`), {
    fn: FN,
    argument: '--out',
    expected: 'a folder no other process writes',
    target: options.out,
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    await encodeInto(options);
  } finally {
    release();
  }
}

async function encodeInto(options: EncodeOptions): Promise<void> {
  const where = { fn: FN, argument: '--run', kinds: ['vqvae'] };
  await withCheckpointModel(where, options.run, options, options.batchSize, async (model, checkpoint) => {
    const vqvae = model as VqVae;
    if (vqvae.config.quantizer.kind === 'rvq') {
      const got = `'${options.run}', a residual VQ-VAE (a code per level: the prior takes one code per position)`;
      throw new UsageError(`${FN}: expected --run a VQ-VAE with one code per position, got ${got}.`);
    }
    const { dataset, limit, testLimit } = options;
    const maxBytes = options.maxMemory * 2 ** 20;
    const where = { fn: FN, argument: '--dataset' };
    const splits = await loadRunImages(checkpoint.run, { dataset, limit, testLimit, maxBytes, ...where });
    // images are encoded as the run saw them: binarised at the threshold when it trained on binary images
    const trained = (await readRunFlags(checkpoint.run)).binarize;
    const binarize = trained === undefined || trained === 'none' ? 'none' : 'static';
    const [height, width] = vqvae.latentShape;
    const maps: Record<string, CodeMapDataset> = {};
    for (const [split, data] of Object.entries(splits)) {
      maps[split] = await encodeCodeMaps(data, vqvae, { batchSize: options.batchSize, binarize });
      process.stderr.write(
        `${split}: ${formatNumber(data.size)} code maps ${height}x${width} (K = ${vqvae.config.codebookSize})\n`,
      );
    }
    // the folder names the VQ-VAE run, and the checkpoint of it that encoded every file
    const source = {
      vqvaeRun: resolve(checkpoint.run?.location ?? checkpoint.location),
      checkpoint: resolve(checkpoint.location),
      ...(checkpoint.info ? { step: checkpoint.info.step } : {}),
    };
    try {
      writeCodeMaps(options.out, maps, source);
    } catch (error) {
      // the library names its argument 'dir': here it is --out
      const message = (error as Error).message;
      if (!message.startsWith('writeCodeMaps: expected dir ')) throw error;
      throw new UsageError(`${FN}: expected --out ${message.slice('writeCodeMaps: expected dir '.length)}`);
    }
    process.stderr.write(`codes: ${options.out}\n`);
  });
}
