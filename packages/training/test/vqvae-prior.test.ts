// fit over @vaejs/vqvae and @vaejs/pixelcnn-prior: codebook figures and pictures, code maps as data, and resume
// bit for bit with the quantiser's EMA state and random stream.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createCodeMapDataset, createDataset } from '@vaejs/datasets';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';
import { createVqVae, type VqVaeConfig } from '@vaejs/vqvae';
import { afterAll, describe, expect, it } from 'vitest';
import { findLatestCheckpoint, fit } from '../src/index.node';

const dir = mkdtempSync(join(tmpdir(), 'vaejs-fit-vq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function images(count: number, seed: number, name: string) {
  const pixels = new Uint8Array(count * 64);
  for (let i = 0; i < count; i++) {
    const corner = (i + seed) % 4;
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) pixels[i * 64 + (y + 4 * (corner >> 1)) * 8 + x + 4 * (corner & 1)] = 230;
  }
  return createDataset({
    name,
    imageShape: [8, 8, 1],
    images: pixels,
    labels: Int32Array.from({ length: count }, (_, i) => (i + seed) % 4),
  });
}

const vqConfig: VqVaeConfig = {
  inputShape: [8, 8, 1],
  dim: 4,
  codebookSize: 8,
  encoderFilters: [4, 8],
  seed: 1,
  quantizer: { ema: true, deadCodeThreshold: 1, kmeansInit: true },
};
const options = { verbose: 0 as const, batchSize: 16, seed: 3 };
const weights = (run: string, part: string) =>
  readFileSync(join(findLatestCheckpoint(run)!.location, part, 'weights.bin'));

describe('fit with @vaejs/vqvae and @vaejs/pixelcnn-prior', () => {
  it('trains a VQ-VAE with codebook figures per epoch, and resumes it bit for bit (EMA state and restarts)', async () => {
    const data = { train: images(64, 0, 'train'), test: images(24, 1, 'test') };
    const straight = createVqVae(vqConfig);
    const history = await fit(straight, data, { ...options, epochs: 3, runDir: join(dir, 'vq') });
    straight.dispose();
    for (const record of history.records) {
      expect(record.test_code_usage).toBeGreaterThan(0);
      expect(record.test_code_usage).toBeLessThanOrEqual(1);
      expect(record.test_code_perplexity).toBeGreaterThanOrEqual(1);
    }
    expect(existsSync(join(dir, 'vq', 'codebook-usage.png'))).toBe(true);
    expect(existsSync(join(dir, 'vq', 'reconstructions.png'))).toBe(true);
    const first = createVqVae(vqConfig);
    await fit(first, data, { ...options, epochs: 1, runDir: join(dir, 'vq-split') });
    first.dispose();
    const second = createVqVae({ ...vqConfig, seed: 9 });
    await fit(second, data, { ...options, epochs: 3, runDir: join(dir, 'vq-split'), resume: true });
    second.dispose();
    for (const part of ['encoder', 'quantizer', 'decoder']) {
      expect(weights(join(dir, 'vq-split'), part).equals(weights(join(dir, 'vq'), part)), part).toBe(true);
    }
  });

  it('trains a PixelCNN prior on code maps below the uniform cost, and resumes it bit for bit', async () => {
    const maps = (count: number, seed: number, name: string) =>
      createCodeMapDataset({
        name,
        codes: Int32Array.from({ length: count * 4 }, (_, i) => ((i >> 2) + seed + (i & 1)) % 4),
        height: 2,
        width: 2,
        numCategories: 8,
        labels: Int32Array.from({ length: count }, (_, i) => i % 2),
      });
    const data = { train: maps(64, 0, 'codes-train'), test: maps(16, 1, 'codes-test') };
    const config = { numCategories: 8, height: 2, width: 2, channels: 8, layers: 2, seed: 1 };
    const before = tf.memory().numTensors;
    const straight = createPixelCnn(config);
    const history = await fit(straight, data, {
      ...options,
      epochs: 3,
      learningRate: 0.01,
      runDir: join(dir, 'prior'),
    });
    straight.dispose();
    expect(history.records[2]?.test_loss).toBeLessThan(Math.log(8));
    expect(history.records[2]?.test_bitsPerDim).toBeCloseTo((history.records[2]?.test_loss as number) / Math.LN2, 4);
    const first = createPixelCnn(config);
    await fit(first, data, { ...options, epochs: 2, learningRate: 0.01, runDir: join(dir, 'prior-split') });
    first.dispose();
    const second = createPixelCnn({ ...config, seed: 5 });
    await fit(second, data, {
      ...options,
      epochs: 3,
      learningRate: 0.01,
      runDir: join(dir, 'prior-split'),
      resume: true,
    });
    second.dispose();
    expect(weights(join(dir, 'prior-split'), 'network').equals(weights(join(dir, 'prior'), 'network'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a test set of another shape than the training set', async () => {
    const model = createVqVae(vqConfig);
    const small = createDataset({ name: 'small', imageShape: [4, 4, 1], images: new Uint8Array(16 * 2) });
    await expect(fit(model, { train: images(8, 0, 'train'), test: small }, options)).rejects.toThrow(
      /^fit: expected data\.test items of the training set's shape 8x8x1, got 4x4x1\.$/,
    );
    model.dispose();
  });
});
