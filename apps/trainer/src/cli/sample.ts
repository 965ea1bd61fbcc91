/** `vaejs sample`: new images as one PNG grid, from a VAE's prior or a PixelCNN prior decoded by its VQ-VAE. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { readCodesManifest } from '@vaejs/datasets';
import { createTwoStageSampler, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { fileRunSource, type RunSource, writeImageGrid } from '@vaejs/training';
import type { Vae } from '@vaejs/vae';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { type Model, runReader } from './models';
import { withBackendFlags } from './options';
import { integer, number, text, UsageError } from './parse';
import { savedFolder } from './run-flags';

const FN = 'vaejs sample';

export function sampleCommand() {
  const command = new Command('sample')
    .description('write a PNG grid of new images: from a VAE, or from a PixelCNN prior decoded by its VQ-VAE')
    .option('--run <folder>', 'a VAE or PixelCNN prior run (or checkpoint) folder', text('--run'))
    .option(
      '--vqvae <folder>',
      "the VQ-VAE that decodes a prior's maps (default: the one the prior's codes came from)",
      text('--vqvae'),
    )
    .option(
      '--prior <folder>',
      'a PixelCNN prior run folder (with --vqvae; the same as --run <prior>)',
      text('--prior'),
    )
    .option('-n, --n <count>', 'number of images', integer('-n', 1, 10000), 64)
    .option('--seed <n>', 'seed of the samples', integer('--seed', 0, 2 ** 53 - 1), 0)
    .option(
      '--label <class>',
      'class to sample (conditional models); default: cycle through the classes',
      integer('--label', 0),
    )
    .option(
      '--temperature <t>',
      'PixelCNN: softmax temperature; 0 takes the most likely code (argmax)',
      number('--temperature', 0, 100),
      1,
    )
    .option(
      '--top-k <k>',
      'PixelCNN: draw each code among the k most likely only (1: argmax; default: all codes)',
      integer('--top-k', 1),
    )
    .option('--out <file>', 'PNG grid to write', text('--out'), 'samples.png');
  return withBackendFlags(command).action(async (options) => {
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
  const checkpoint = await runReader.locate(fileRunSource(target), where);
  await setupBackendFromFlags(options);
  const loaded: Model[] = [];
  try {
    const model = (await runReader.load(checkpoint, where)) as Model;
    loaded.push(model);
    let images: tf.Tensor4D;
    if (checkpoint.kind === 'vae') {
      images = fromVae(model as Vae, options);
    } else if (checkpoint.kind === 'pixelcnn') {
      const vqvaeRun = options.vqvae ?? (await vqvaeOfPrior(checkpoint.run));
      const vqvaeAt = await runReader.locate(fileRunSource(vqvaeRun), {
        fn: FN,
        argument: '--vqvae',
        kinds: ['vqvae'],
      });
      const vqvae = (await runReader.load(vqvaeAt)) as VqVae;
      loaded.push(vqvae);
      images = await fromPrior(model as PixelCnn, vqvae, options);
    } else {
      throw new UsageError(
        `${FN}: expected --run a VAE or a PixelCNN prior, got a VQ-VAE, which has no prior of its own: train one (vaejs encode, then vaejs prior train) and pass it with --run.`,
      );
    }
    try {
      writeImageGrid(options.out, images, { columns: Math.ceil(Math.sqrt(options.n)) });
    } finally {
      images.dispose();
    }
  } finally {
    for (const model of loaded) model.dispose();
  }
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

/** New images in two stages: code maps from the prior, decoded by the VQ-VAE. */
async function fromPrior(prior: PixelCnn, vqvae: VqVae, options: SampleOptions): Promise<tf.Tensor4D> {
  const sampler = createTwoStageSampler(prior, vqvae);
  if (sampler.mismatch) throw new UsageError(`${FN}: ${sampler.mismatch}`);
  const labels = labelsFor(options, prior.config.numClasses);
  const { maps, images } = await sampler.sample(options.n, {
    seed: options.seed,
    temperature: options.temperature,
    topK: options.topK,
    ...(labels ? { labels } : {}),
  });
  maps.dispose();
  return images;
}

/** The VQ-VAE run whose codes a prior run was trained on (its codes folder's codes.json names it). */
async function vqvaeOfPrior(run: RunSource | null): Promise<string> {
  const codes = await savedFolder(FN, run, 'codes', '--vqvae');
  const source = codes ? (readCodesManifest(codes).source as { vqvaeRun?: unknown } | undefined)?.vqvaeRun : undefined;
  if (typeof source !== 'string') {
    throw new UsageError(
      `${FN}: expected --vqvae the VQ-VAE that decodes the prior's maps (the prior's codes do not name it), got nothing.`,
    );
  }
  const vqvaeRun = resolve(source);
  if (!existsSync(vqvaeRun)) {
    throw new UsageError(
      `${FN}: expected the VQ-VAE that decodes the prior's maps at '${vqvaeRun}' (named by ${join(codes as string, 'codes.json')}), got no such folder (moved? give --vqvae <its new place>).`,
    );
  }
  return vqvaeRun;
}
