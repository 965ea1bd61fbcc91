import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected, klSchedule } from '@vaejs/core';
import type { ImageDataset } from '@vaejs/datasets';
import { createVae, loadVae, saveVae, type Vae, type VaeConfig } from '@vaejs/vae';
import { fileIO, writeFileDurable } from '../io/file-io';
import { writeImageGrid } from '../io/png';
import { firstImages } from './image-data';
import type { TrainableModel, TrainBatch } from './types';

export interface VaeTrainingOptions {
  /** KL weight schedule, as a function of the step; absent = config.beta throughout. */
  beta?: (step: number) => number;
  /** Corrupts images for the DAE's pictures (the same corruption the data pipeline applies). */
  corrupt?: (x: tf.Tensor4D, seed: number) => tf.Tensor4D;
}

const MANIFEST = 'vae.json';

/** Saves a VAE into `dir`: vae.json (the manifest) and one tfjs model folder per part. */
export async function saveVaeFolder(vae: Vae, dir: string): Promise<void> {
  const manifest = await saveVae(vae, (part) => fileIO(join(dir, part)));
  writeFileDurable(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}

/** Loads what saveVaeFolder wrote. */
export async function loadVaeFolder(dir: string, fn: string): Promise<Vae> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    throw new CheckpointError(formatExpected(fn, 'checkpoint', `a VAE (${MANIFEST}) in ${dir}`, 'none'));
  }
  return loadVae(manifest, (part) => fileIO(join(dir, part)));
}

export function createVaeModel(config: VaeConfig): Vae {
  return createVae(config);
}

/** The VAE family as the training loop drives it. */
export function vaeTrainable(vae: Vae, test: ImageDataset, options: VaeTrainingOptions = {}): TrainableModel {
  const fixed = firstImages(test, 32);
  const stepOptions = (seed: number, step?: number) => ({
    seed,
    ...(options.beta && step !== undefined ? { beta: options.beta(step) } : {}),
  });
  const asBatch = (batch: TrainBatch) => ({
    x: batch.x as tf.Tensor4D,
    ...(batch.target ? { target: batch.target as tf.Tensor4D } : {}),
    ...(batch.labels ? { labels: batch.labels } : {}),
  });
  return {
    kind: 'vae',
    partNames: ['loss', 'reconstruction', 'kl'],
    trainStep: (optimizer, batch, { seed, step }) => vae.trainStep(optimizer, asBatch(batch), stepOptions(seed, step)),
    lossParts: (batch, { seed }) => vae.lossParts(asBatch(batch), stepOptions(seed)),
    async writePictures(runDir, epoch, { seed }) {
      const name = (what: string) => join(runDir, 'pictures', `epoch-${String(epoch).padStart(3, '0')}-${what}.png`);
      const labels = fixed.labels ?? undefined;
      const input = options.corrupt ? options.corrupt(fixed.x, seed) : fixed.x;
      const reconstruction = vae.reconstruct(input, labels ? { labels } : {});
      // rows of 8: originals (and corrupted inputs for the DAE), then their reconstructions
      const grid = tf.tidy(() => {
        const rows: tf.Tensor4D[] = [];
        for (let start = 0; start < fixed.x.shape[0]; start += 8) {
          const end = Math.min(start + 8, fixed.x.shape[0]);
          rows.push(tf.slice(fixed.x, start, end - start));
          if (input !== fixed.x) rows.push(tf.slice(input, start, end - start));
          rows.push(tf.slice(reconstruction, start, end - start));
        }
        return tf.concat(rows) as tf.Tensor4D;
      });
      writeImageGrid(name('reconstructions'), grid, { columns: 8 });
      writeImageGrid(join(runDir, 'reconstructions.png'), grid, { columns: 8 });
      tf.dispose([grid, reconstruction, ...(input !== fixed.x ? [input] : [])]);
      if (vae.variational) {
        const classes = vae.config.numClasses;
        const sampleLabels =
          classes > 0
            ? tf.tensor1d(
                Array.from({ length: 64 }, (_, i) => Math.floor(i / 8) % classes),
                'int32',
              )
            : undefined;
        const samples = vae.generate(64, { seed, ...(sampleLabels ? { labels: sampleLabels } : {}) });
        writeImageGrid(name('samples'), samples, { columns: 8 });
        writeImageGrid(join(runDir, 'samples.png'), samples, { columns: 8 });
        tf.dispose([samples, sampleLabels ?? []].flat());
        if (vae.config.latentDim === 2) {
          const manifold = vae.latentGrid(20, classes > 0 ? { label: 0 } : {});
          writeImageGrid(join(runDir, 'latent-grid.png'), manifold, { columns: 20, scale: 1 });
          manifold.dispose();
        }
      }
    },
    save: (dir) => saveVaeFolder(vae, dir),
    dispose() {
      tf.dispose([fixed.x, fixed.labels ?? []].flat());
      vae.dispose();
    },
  };
}

export { klSchedule };
