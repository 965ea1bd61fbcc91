import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, formatExpected } from '@vaejs/core';
import { loadPixelCnn, type PixelCnn, savePixelCnn } from '@vaejs/pixelcnn-prior';
import { fileIO, writeFileDurable } from '../io/file-io';
import { writeImageGrid } from '../io/png';
import type { TrainableModel, TrainBatch } from './types';

const MANIFEST = 'pixelcnn.json';

export async function savePixelCnnFolder(prior: PixelCnn, dir: string): Promise<void> {
  const manifest = await savePixelCnn(prior, (part) => fileIO(join(dir, part)));
  writeFileDurable(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
}

export async function loadPixelCnnFolder(dir: string, fn: string): Promise<PixelCnn> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    throw new CheckpointError(formatExpected(fn, 'checkpoint', `a PixelCNN (${MANIFEST}) in ${dir}`, 'none'));
  }
  return loadPixelCnn(manifest, (part) => fileIO(join(dir, part)));
}

/** The PixelCNN prior as the training loop drives it; `decode` turns sampled maps into images for the pictures. */
export function pixelCnnTrainable(
  prior: PixelCnn,
  decode: ((maps: tf.Tensor3D) => tf.Tensor4D) | null,
): TrainableModel {
  const asBatch = (batch: TrainBatch) => ({
    x: batch.x as tf.Tensor3D,
    ...(batch.labels && prior.config.numClasses > 0 ? { labels: batch.labels } : {}),
  });
  return {
    kind: 'pixelcnn',
    partNames: ['loss', 'bitsPerDim'],
    trainStep: (optimizer, batch) => prior.trainStep(optimizer, asBatch(batch)) as unknown as Record<string, tf.Scalar>,
    lossParts: (batch) => prior.lossParts(asBatch(batch)) as unknown as Record<string, tf.Scalar>,
    async writePictures(runDir, epoch, { seed }) {
      if (!decode) return;
      const classes = prior.config.numClasses;
      const labels = classes > 0 ? Array.from({ length: 16 }, (_, i) => i % classes) : undefined;
      const maps = await prior.sample(16, { seed, ...(labels ? { labels } : {}) });
      const images = decode(maps);
      const name = join(runDir, 'pictures', `epoch-${String(epoch).padStart(3, '0')}-samples.png`);
      writeImageGrid(name, images, { columns: 4 });
      writeImageGrid(join(runDir, 'samples.png'), images, { columns: 4 });
      tf.dispose([maps, images]);
    },
    save: (dir) => savePixelCnnFolder(prior, dir),
    dispose: () => prior.dispose(),
  };
}
