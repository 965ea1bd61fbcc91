// Batches on the wasm backend, which copies an array into its heap when a tensor is made from it: there, createBatches
// writes every batch's floats into one array (backendCopiesOnCreate), and each batch must still hold its own values.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { backendCopiesOnCreate } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatches } from './batches';
import { createDataset } from './dataset';

describe('createBatches on wasm (one float array for every batch)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives each batch its own values, every binarisation and a corruption, the last batch smaller', () => {
    expect(backendCopiesOnCreate()).toBe(true);
    const pixels = 5 * 5;
    const images = Uint8Array.from({ length: 11 * pixels }, (_, i) => (i * 37) % 256);
    const dataset = createDataset({ name: 'w', imageShape: [5, 5, 1], images, labels: null });
    for (const binarize of ['none', 'static', 'dynamic'] as const) {
      const config = { batchSize: 4, shuffle: true, seed: 3, binarize };
      const batches = createBatches(dataset, config);
      const all = Array.from({ length: batches.numBatches }, (_, i) => batches.batch(i));
      // the same batches, each built alone in a fresh Batches (nothing shared with another batch)
      const alone = Array.from({ length: batches.numBatches }, (_, i) => createBatches(dataset, config).batch(i));
      expect(all.map((b) => b.x.shape[0])).toEqual([4, 4, 3]);
      all.forEach((batch, i) => {
        expect(Array.from(batch.x.dataSync()), `${binarize} batch ${i}`).toEqual(Array.from(alone[i]!.x.dataSync()));
      });
      if (binarize === 'none') {
        all.forEach((batch) => {
          const values = batch.x.dataSync();
          batch.indices.forEach((image, k) => {
            for (let p = 0; p < pixels; p++) {
              expect(values[k * pixels + p]).toBeCloseTo(images[image * pixels + p]! / 255, 6);
            }
          });
        });
      }
      tf.dispose([...all, ...alone]);
    }
    const noisy = createBatches(dataset, { batchSize: 4, seed: 1, corruption: { type: 'masking', amount: 0.5 } });
    const [a, b] = [noisy.batch(0), noisy.batch(1)];
    const clean = (batch: typeof a) =>
      Array.from(batch.indices).flatMap((image) => Array.from(images.subarray(image * pixels, (image + 1) * pixels)));
    expect(Array.from(a.xClean!.dataSync()).map((v) => Math.round(v * 255))).toEqual(clean(a));
    expect(Array.from(b.xClean!.dataSync()).map((v) => Math.round(v * 255))).toEqual(clean(b));
    tf.dispose([a, b]);
  });
});
