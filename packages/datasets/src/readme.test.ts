// Runs the README snippets (copied; keep them in sync). Paths and `fetch` are pointed at files made here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatches, decodeIdx, encodeIdx, loadImageFolder, loadMnist, splitValidation } from './index';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-readme-'));
  for (const [mood, side] of [
    ['happy', 40],
    ['sad', 24],
  ] as const) {
    mkdirSync(join(root, 'faces', mood), { recursive: true });
    const png = new PNG({ width: side, height: side });
    png.data.fill(128);
    writeFileSync(join(root, 'faces', mood, 'a.png'), PNG.sync.write(png));
  }
  writeFileSync(join(root, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [10000], new Uint8Array(10000))));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('README snippets', () => {
  it('one epoch of MNIST, dynamically binarised', async () => {
    await expectNoLeak(() => {
      const mnist = loadMnist(); // mnist.size 60000, mnist.imageShape [28, 28, 1], mnist.labels[0] 5
      expect([mnist.size, mnist.imageShape, mnist.labels![0]]).toEqual([60000, [28, 28, 1], 5]);
      const { train, validation } = splitValidation(mnist, 10000); // 50000 and 10000 images, no copy
      expect([train.size, validation.size]).toEqual([50000, 10000]);

      const epoch = 0;
      const batches = createBatches(train, { batchSize: 128, seed: 42, epoch, binarize: 'dynamic' });
      expect(batches.numBatches).toBe(391); // (the last batch holds 80 images)
      let last = 0;
      for (const batch of batches) {
        try {
          if (batch.index === 0) {
            expect(batch.x.shape).toEqual([128, 28, 28, 1]); // float32 [128, 28, 28, 1], every value 0 or 1
            expect(new Set(batch.x.dataSync())).toEqual(new Set([0, 1]));
            expect(batch.labels!.shape).toEqual([128]); // int32 [128]
            expect(batch.labelsOneHot!.shape).toEqual([128, 10]); // float32 [128, 10]
          }
          last = batch.x.shape[0];
        } finally {
          tf.dispose(batch); // the caller owns every tensor of a batch
        }
      }
      expect(last).toBe(80);
    });
  });

  it('denoising autoencoder input', async () => {
    await expectNoLeak(() => {
      const test = loadMnist({ split: 'test' });
      const noisy = createBatches(test, { batchSize: 64, shuffle: false, corruption: { type: 'gaussian', std: 0.3 } });
      const batch = noisy.batch(0);
      expect(batch.x.shape).toEqual([64, 28, 28, 1]); // clean + N(0, 0.3²), clipped to [0, 1]
      expect(batch.xClean!.shape).toEqual([64, 28, 28, 1]); // the clean images
      const x = batch.x.dataSync();
      expect(Math.min(...x)).toBe(0);
      expect(Math.max(...x)).toBe(1);
      expect(batch.xClean!.dataSync()[0]).toBe(test.images[0]! / 255);
      tf.dispose(batch);
    });
  });

  it('a folder of PNG images, and an IDX file from fetch', async () => {
    const faces = loadImageFolder({ dir: join(root, 'faces'), size: 32, channels: 3 });
    expect(faces.imageShape).toEqual([32, 32, 3]);
    expect(faces.classNames).toEqual(['happy', 'sad']); // the sub-folder names

    const fetch = async (name: string) => new Response(readFileSync(join(root, name)));
    const bytes = new Uint8Array(await (await fetch('t10k-labels-idx1-ubyte.gz')).arrayBuffer());
    const labels = await decodeIdx(bytes, 't10k-labels'); // gunzipped by its magic number
    expect(labels.shape).toEqual([10000]);
  });
});
