/** `vaejs sample`: new images as one PNG grid, from a VAE's prior or a PixelCNN prior decoded by its VQ-VAE. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import * as tf from '@tensorflow/tfjs-core';
import { readCodesManifest } from '@vaejs/datasets';
import { checkPriorFits, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { writeImageGrid } from '@vaejs/training';
import type { Vae } from '@vaejs/vae';
import type { VqVae } from '@vaejs/vqvae';
import { setupBackendFromFlags } from '../backend';
import { locateCheckpoint, runOf, savedFolder } from './checkpoints';
import { loadCheckpointModel, type Model } from './models';
import { withBackendFlags } from './options';
import { integer, number, text, UsageError } from './parse';

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
  const checkpoint = locateCheckpoint(FN, options.run ? '--run' : '--prior', target);
  await setupBackendFromFlags(options);
  const loaded: Model[] = [];
  try {
    const { kind, model } = await loadCheckpointModel(checkpoint, FN);
    loaded.push(model);
    let images: tf.Tensor4D;
    if (kind === 'vae') {
      const vae = model as Vae;
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
      images = vae.generate(options.n, { seed: options.seed, ...(labelTensor ? { labels: labelTensor } : {}) });
      labelTensor?.dispose();
    } else if (kind === 'pixelcnn') {
      const prior = model as PixelCnn;
      const vqvaeRun = options.vqvae ?? vqvaeOfPrior(runOf(checkpoint));
      const vqvae = (await loadCheckpointModel(locateCheckpoint(FN, '--vqvae', vqvaeRun), FN, ['vqvae']))
        .model as VqVae;
      loaded.push(vqvae);
      const [height, width] = vqvae.latentShape;
      const mismatch = checkPriorFits(prior, { numCategories: vqvae.config.codebookSize, height, width });
      if (mismatch) throw new UsageError(`${FN}: ${mismatch}`);
      const labels = labelsFor(options, prior.config.numClasses);
      const maps = await prior.sample(options.n, {
        seed: options.seed,
        temperature: options.temperature,
        topK: options.topK,
        ...(labels ? { labels } : {}),
      });
      images = vqvae.decode(maps);
      maps.dispose();
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

/** The VQ-VAE run whose codes a prior run was trained on (its codes folder's codes.json names it). */
function vqvaeOfPrior(run: string | null): string {
  const codes = savedFolder(FN, run, 'codes', '--vqvae');
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
