import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected } from '@vaejs/core';
import type { ImageDataset } from '@vaejs/datasets';
import {
  createCodeUsageAccumulator,
  createVqVae,
  loadVqVae,
  saveVqVae,
  type VqVae,
  type VqVaeConfigInput,
} from '@vaejs/vqvae';
import type { ParsedFlags } from '../args';
import { fileIO, writeFileDurable } from '../io/file-io';
import { barChart } from '../io/plot';
import { writeImageGrid, writePng } from '../io/png';
import { firstImages } from './image-data';
import type { TrainableModel, TrainBatch } from './types';

const MANIFEST = 'vqvae.json';
/** Test images encoded at the end of each epoch for the codebook-usage histogram. */
const USAGE_IMAGES = 2000;

export async function saveVqVaeFolder(vqvae: VqVae, dir: string): Promise<void> {
  const manifest = await saveVqVae(vqvae, (part) => fileIO(join(dir, part)));
  writeFileDurable(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}

export async function loadVqVaeFolder(dir: string, fn: string): Promise<VqVae> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    throw new CheckpointError(formatExpected(fn, 'checkpoint', `a VQ-VAE (${MANIFEST}) in ${dir}`, 'none'));
  }
  return loadVqVae(manifest, (part) => fileIO(join(dir, part)));
}

/**
 * Population variance of a dataset's pixels scaled to [0, 1] (`np.var(x_train / 255)`, ≈ 0.095 for MNIST): what the
 * Keras example and van den Oord et al.'s Sonnet example divide the reconstruction MSE by. One pass over the bytes.
 */
export function datasetPixelVariance(data: ImageDataset): number {
  let sum = 0;
  let sumSq = 0;
  const { images } = data;
  for (let i = 0; i < images.length; i++) {
    const v = images[i] as number;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / images.length;
  return Math.max(sumSq / images.length - mean * mean, 0) / (255 * 255);
}

/** The VQ-VAE config the train flags describe. */
export function vqVaeModelConfig(flags: ParsedFlags, data: ImageDataset): VqVaeConfigInput {
  const base = (flags.hidden as number | undefined) ?? 32;
  const variance = (flags.dataVariance as number | undefined) ?? datasetPixelVariance(data);
  return {
    inputShape: [...data.imageShape] as [number, number, number],
    // A constant dataset (variance 0) keeps the plain MSE.
    dataVariance: variance > 0 ? variance : 1,
    dim: (flags.latentDim as number | undefined) ?? 16,
    codebookSize: flags.codebookSize as number,
    encoderFilters: [base, 2 * base],
    seed: flags.seed as number,
    quantizer: {
      ...(flags.beta !== undefined ? { beta: flags.beta as number } : {}),
      ema: flags.ema as boolean,
      deadCodeThreshold: flags.restartThreshold as number,
      kmeansInit: true,
    },
  };
}

export function createVqVaeTrainable(config: VqVaeConfigInput, test: ImageDataset): TrainableModel {
  return vqVaeTrainable(createVqVae(config), test);
}

export async function loadVqVaeTrainable(dir: string, test: ImageDataset, fn: string): Promise<TrainableModel> {
  return vqVaeTrainable(await loadVqVaeFolder(dir, fn), test);
}

/** The VQ-VAE as the training loop drives it, with codebook usage per epoch. */
export function vqVaeTrainable(vqvae: VqVae, test: ImageDataset): TrainableModel {
  const fixed = firstImages(test, 32);
  const usageImages = firstImages(test, USAGE_IMAGES);
  const accumulator = createCodeUsageAccumulator(vqvae.config.codebookSize);
  let histogram: number[] = [];
  const asBatch = (batch: TrainBatch) => ({ x: batch.x, ...(batch.target ? { target: batch.target } : {}) });
  return {
    kind: 'vqvae',
    partNames: ['loss', 'reconstruction', 'reconstructionMse', 'codebook', 'commitment', 'perplexity', 'usage'],
    trainStep: (optimizer, batch) => vqvae.trainStep(optimizer, asBatch(batch)),
    lossParts: (batch) => vqvae.lossParts(asBatch(batch)),
    async epochMetrics() {
      accumulator.reset();
      for (let start = 0; start < usageImages.x.shape[0]; start += 500) {
        const codes = tf.tidy(() =>
          vqvae.encode(tf.slice(usageImages.x, start, Math.min(500, usageImages.x.shape[0] - start))),
        );
        accumulator.add(codes);
        codes.dispose();
      }
      histogram = await accumulator.histogram();
      return { test_code_perplexity: await accumulator.perplexity(), test_code_usage: await accumulator.usage() };
    },
    async writePictures(runDir, epoch) {
      const name = (what: string) => join(runDir, 'pictures', `epoch-${String(epoch).padStart(3, '0')}-${what}.png`);
      const grid = tf.tidy(() => {
        const reconstruction = vqvae.reconstruct(fixed.x);
        const rows: tf.Tensor4D[] = [];
        for (let start = 0; start < fixed.x.shape[0]; start += 8) {
          const size = Math.min(8, fixed.x.shape[0] - start);
          rows.push(tf.slice(fixed.x, start, size), tf.slice(reconstruction, start, size));
        }
        return tf.concat(rows) as tf.Tensor4D;
      });
      writeImageGrid(name('reconstructions'), grid, { columns: 8 });
      writeImageGrid(join(runDir, 'reconstructions.png'), grid, { columns: 8 });
      grid.dispose();
      if (histogram.length > 0) {
        const chart = barChart(histogram, `code usage, epoch ${epoch}`);
        writePng(name('codebook-usage'), chart);
        writePng(join(runDir, 'codebook-usage.png'), chart);
      }
    },
    save: (dir) => saveVqVaeFolder(vqvae, dir),
    dispose() {
      tf.dispose([fixed.x, usageImages.x, fixed.labels ?? [], usageImages.labels ?? []].flat());
      accumulator.dispose();
      vqvae.dispose();
    },
  };
}
