import * as tf from '@tensorflow/tfjs-core';
import { type BatchesConfig, createBatches, type ImageDataset } from '@vaejs/datasets';
import type { EpochData, TrainBatch } from './types';

/** Wraps `createBatches` as the loop's EpochData: x (corrupted for the DAE), target (clean), labels. */
export function imageEpochData(dataset: ImageDataset, config: BatchesConfig): EpochData {
  const batches = createBatches(dataset, config);
  return {
    numBatches: batches.numBatches,
    batchSize: config.batchSize,
    size: dataset.size,
    batch(index: number): TrainBatch {
      const batch = batches.batch(index);
      tf.dispose(batch.labelsOneHot ?? []);
      return {
        x: batch.x,
        ...(batch.xClean ? { target: batch.xClean } : {}),
        ...(batch.labels ? { labels: batch.labels } : {}),
      };
    },
  };
}

/** The first n images of a dataset (and their labels) as tensors, for pictures. The caller disposes them. */
export function firstImages(dataset: ImageDataset, n: number): { x: tf.Tensor4D; labels: tf.Tensor1D | null } {
  const count = Math.min(n, dataset.size);
  const [h, w, c] = dataset.imageShape;
  const pixels = dataset.images.subarray(0, count * h * w * c);
  const x = tf.tidy(
    () => tf.div(tf.cast(tf.tensor4d(pixels, [count, h, w, c], 'int32'), 'float32'), 255) as tf.Tensor4D,
  );
  const labels = dataset.labels ? tf.tensor1d(dataset.labels.subarray(0, count), 'int32') : null;
  return { x, labels };
}

/**
 * How test images are binarised for a run trained with `binarize`: a dynamically binarised run is scored on one
 * Bernoulli draw per test image, fixed by the seed (the same images every epoch, whatever the batch size), which is
 * the test set published likelihoods use; a threshold would score about 14 nats lower on MNIST. Other runs as trained.
 */
export function testBinarization(binarize: unknown): Pick<BatchesConfig, 'binarize' | 'staticBinarization'> {
  return binarize === 'dynamic'
    ? { binarize: 'static', staticBinarization: 'sample' }
    : { binarize: binarize as 'none' | 'static' };
}
