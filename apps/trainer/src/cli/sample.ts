/** `vaejs sample`: new images as one PNG grid, from a VAE's prior or a PixelCNN prior decoded by its VQ-VAE. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { createTwoStageSampler, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { type RunSource, runDataFolder, writeImageGrid } from '@vaejs/training';
import type { Vae } from '@vaejs/vae';
import type { VqVae } from '@vaejs/vqvae';
import { runSource } from './archives';
import { runReader, withCheckpointModel } from './models';
import { memoryLimit, withBackendFlags, withMaxMemory } from './options';
import { integer, number, pathText, seed, UsageError } from './parse';
import { vqvaeOfCodes } from './run-flags';

const FN = 'vaejs sample';

export function sampleCommand() {
  const command = new Command('sample')
    .description('write a PNG grid of new images: from a VAE, or from a PixelCNN prior decoded by its VQ-VAE')
    .option('--run <folder>', 'a VAE or PixelCNN prior run (or checkpoint) folder, or a zip archive of one', pathText)
    .option(
      '--vqvae <folder>',
      "the VQ-VAE that decodes a prior's maps, a folder or a zip archive (default: the one the prior's codes came from)",
      pathText,
    )
    .option('--prior <folder>', 'a PixelCNN prior run folder (with --vqvae; the same as --run <prior>)', pathText)
    .option('-n, --n <count>', 'number of images', integer(1, 10000), 64)
    .option('--seed <n>', 'seed of the samples', seed, 0)
    .option('--label <class>', 'class to sample (conditional models); default: cycle through the classes', integer(0))
    .option(
      '--temperature <t>',
      'PixelCNN: softmax temperature; 0 takes the most likely code (argmax)',
      number(0, 100),
      1,
    )
    .option(
      '--top-k <k>',
      'PixelCNN: draw each code among the k most likely only (1: argmax; default: all codes)',
      integer(1),
    )
    .option('--out <file>', 'PNG grid to write', pathText, 'samples.png');
  return withBackendFlags(withMaxMemory(command)).action(async (options) => {
    await sample(options);
  });
}

type SampleOptions = Parameters<Parameters<ReturnType<typeof sampleCommand>['action']>[0]>[0];

function labelsFor(options: SampleOptions, classes: number): number[] | undefined {
  if (options.label !== undefined && (classes === 0 || options.label >= classes)) {
    throw new UsageError(
      `${FN}: expected --label ${classes ? `a class in [0, ${classes - 1}]` : 'nothing (the model is unconditional)'}, got ${options.label}.`,
    );
  }
  return classes > 0 ? Array.from({ length: options.n }, (_, i) => options.label ?? i % classes) : undefined;
}

export async function sample(options: SampleOptions): Promise<string> {
  const target = options.run ?? options.prior;
  if (!target) {
    throw new UsageError(
      `${FN}: expected --run <vae or prior run> (or --vqvae <run> with --prior <run>), got neither.`,
    );
  }
  const where = { fn: FN, argument: options.run ? '--run' : '--prior' };
  await withCheckpointModel(where, target, options, options.n, async (model, checkpoint) => {
    if (checkpoint.kind === 'vqvae') {
      throw new UsageError(
        `${FN}: expected --run a VAE or a PixelCNN prior, got a VQ-VAE, which has no prior of its own: train one (vaejs encode, then vaejs prior train) and pass it with --run.`,
      );
    }
    const images =
      checkpoint.kind === 'vae'
        ? fromVae(model as Vae, options)
        : await fromPrior(model as PixelCnn, checkpoint.run, options);
    try {
      writeImageGrid(options.out, images, { columns: Math.ceil(Math.sqrt(options.n)) });
    } finally {
      images.dispose();
    }
  });
  process.stderr.write(`wrote ${options.n} samples to ${options.out}\n`);
  return options.out;
}

/** New images from a VAE's prior (a variational one: the plain and denoising AEs have none). */
function fromVae(vae: Vae, options: SampleOptions): tf.Tensor4D {
  if (options.topK !== undefined) {
    throw new UsageError(`${FN}: expected --top-k only with a PixelCNN prior, got it with a VAE.`);
  }
  if (options.temperature !== 1) {
    throw new UsageError(
      `${FN}: expected --temperature only with a PixelCNN prior (a VAE samples its Gaussian prior), got --temperature ${options.temperature} with a VAE.`,
    );
  }
  if (!vae.variational) {
    throw new UsageError(
      `${FN}: expected --run a variational model (vae, beta-vae, cvae), got a ${vae.config.kind}, which has no prior.`,
    );
  }
  const labels = labelsFor(options, vae.config.numClasses);
  const labelTensor = labels ? tf.tensor1d(labels, 'int32') : undefined;
  try {
    return vae.generate(options.n, { seed: options.seed, ...(labelTensor ? { labels: labelTensor } : {}) });
  } finally {
    labelTensor?.dispose();
  }
}

/** New images in two stages: code maps from the prior, decoded by its VQ-VAE (`--vqvae`, or the one of its codes). */
async function fromPrior(prior: PixelCnn, run: RunSource | null, options: SampleOptions): Promise<tf.Tensor4D> {
  const vqvaeRun = options.vqvae ?? (await vqvaeOfPrior(run));
  const where = { fn: FN, argument: '--vqvae', kinds: ['vqvae'], memory: memoryLimit(options.maxMemory, options.n) };
  const vqvae = (await runReader.open(await runSource(vqvaeRun), where)).model as VqVae;
  try {
    const sampler = createTwoStageSampler(prior, vqvae);
    if (sampler.mismatch) throw new UsageError(`${FN}: ${sampler.mismatch}`);
    const labels = labelsFor(options, prior.config.numClasses);
    const { temperature, topK } = options;
    const { maps, images } = await sampler.sample(options.n, {
      seed: options.seed,
      temperature,
      topK,
      ...(labels ? { labels } : {}),
    });
    maps.dispose();
    return images;
  } finally {
    vqvae.dispose();
  }
}

/** The VQ-VAE run whose codes a prior run was trained on (its codes folder's manifest names it). */
async function vqvaeOfPrior(run: RunSource | null): Promise<string> {
  const codes = await runDataFolder(run, 'codes', { fn: FN, argument: '--vqvae' });
  const vqvaeRun = codes ? vqvaeOfCodes(codes) : undefined;
  if (vqvaeRun === undefined) {
    throw new UsageError(
      `${FN}: expected --vqvae the VQ-VAE that decodes the prior's maps (the prior's codes do not name it), got nothing.`,
    );
  }
  if (!existsSync(vqvaeRun)) {
    throw new UsageError(
      `${FN}: expected the VQ-VAE that decodes the prior's maps at '${vqvaeRun}' (named by ${join(codes as string, 'codes.json')}), got no such folder (moved? give --vqvae <its new place>).`,
    );
  }
  return vqvaeRun;
}
