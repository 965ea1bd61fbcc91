import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { type Batch, createBatches } from './batches';
import { createDataset, type ImageDataset } from './dataset';

/** n images of h×w×c whose bytes are (image * 7 + pixel) mod 256, labels image mod 3. */
function makeDataset(n: number, shape: [number, number, number] = [2, 3, 1], labelled = true): ImageDataset {
  const pixels = shape[0] * shape[1] * shape[2];
  const images = Uint8Array.from({ length: n * pixels }, (_, i) => (Math.floor(i / pixels) * 7 + (i % pixels)) % 256);
  return createDataset({
    name: 'synthetic',
    imageShape: shape,
    images,
    labels: labelled ? Int32Array.from({ length: n }, (_, i) => i % 3) : null,
  });
}

/** A dataset of n images whose every byte is `byte`. */
function flatDataset(n: number, byte: number, side = 8): ImageDataset {
  return createDataset({
    name: 'flat',
    imageShape: [side, side, 1],
    images: new Uint8Array(n * side * side).fill(byte),
  });
}

function read(batch: Batch) {
  const out = {
    x: batch.x.dataSync() as Float32Array,
    xClean: batch.xClean?.dataSync() as Float32Array | undefined,
    labels: batch.labels?.dataSync() as Int32Array | undefined,
    oneHot: batch.labelsOneHot?.dataSync() as Float32Array | undefined,
  };
  tf.dispose(batch);
  return out;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

describe('createBatches: shapes, dtypes and values', () => {
  it('gives float32 NHWC x = bytes / 255, int32 labels and matching one-hot rows, in order without shuffle', () => {
    const dataset = makeDataset(10);
    const batches = createBatches(dataset, { batchSize: 4, shuffle: false });
    expect(batches.numBatches).toBe(3);
    const batch = batches.batch(1);
    expect(batch.x.shape).toEqual([4, 2, 3, 1]);
    expect(batch.x.dtype).toBe('float32');
    expect(batch.labels?.dtype).toBe('int32');
    expect(batch.labels?.shape).toEqual([4]);
    expect(batch.labelsOneHot?.shape).toEqual([4, 3]);
    expect(batch.labelsOneHot?.dtype).toBe('float32');
    expect(batch.xClean).toBeUndefined();
    expect(batch.index).toBe(1);
    expect(Array.from(batch.indices)).toEqual([4, 5, 6, 7]);
    const { x, labels, oneHot } = read(batch);
    for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(dataset.images[4 * 6 + i]! / 255, 6);
    expect(Array.from(labels!)).toEqual([1, 2, 0, 1]);
    expect(Array.from(oneHot!)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('keeps a batch values when later batches are built, read or not (the cpu backend keeps the array it is given)', () => {
    const dataset = makeDataset(12);
    const batches = createBatches(dataset, { batchSize: 4, shuffle: false });
    const expected = (first: number) => Array.from(dataset.images.subarray(first * 6, (first + 4) * 6), (b) => b / 255);
    const first = batches.batch(0);
    const held = first.x.dataSync() as Float32Array; // on cpu, the very array the tensor was made from
    tf.dispose(first);
    const second = batches.batch(1);
    const third = batches.batch(2);
    for (const [values, image] of [
      [held, 0],
      [second.x.dataSync(), 4],
      [third.x.dataSync(), 8],
    ] as const) {
      const want = expected(image);
      for (let i = 0; i < want.length; i++) expect(values[i]).toBeCloseTo(want[i]!, 6);
      expect(values.length).toBe(want.length);
    }
    tf.dispose([second, third]);
  });

  it('makes a smaller last batch, or drops it with dropRemainder', () => {
    const dataset = makeDataset(10);
    const keep = createBatches(dataset, { batchSize: 4 });
    const last = keep.batch(2);
    expect(last.x.shape).toEqual([2, 2, 3, 1]);
    tf.dispose(last);
    expect(createBatches(dataset, { batchSize: 4, dropRemainder: true }).numBatches).toBe(2);
    expect(createBatches(dataset, { batchSize: 20, dropRemainder: true }).numBatches).toBe(0);
  });

  it('keeps values in [0, 1] for colour images and has null labels for an unlabelled set', () => {
    const dataset = makeDataset(5, [3, 2, 3], false);
    for (const batch of createBatches(dataset, { batchSize: 2, seed: 3 })) {
      expect(batch.x.shape.slice(1)).toEqual([3, 2, 3]);
      expect(batch.labels).toBeUndefined();
      expect(batch.labelsOneHot).toBeUndefined();
      const { x } = read(batch);
      expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...x)).toBeLessThanOrEqual(1);
    }
  });
});

describe('createBatches: seeded shuffling', () => {
  it('visits every index exactly once per epoch, and batches follow the order', () => {
    const dataset = makeDataset(103);
    const batches = createBatches(dataset, { batchSize: 10, seed: 5, epoch: 2 });
    const seen = new Int32Array(103);
    for (const batch of batches) {
      expect(Array.from(batch.indices)).toEqual(
        Array.from(batches.order.subarray(batch.index * 10, batch.index * 10 + 10)),
      );
      const { labels } = read(batch);
      batch.indices.forEach((image, k) => {
        seen[image]! += 1;
        expect(labels![k]).toBe(image % 3);
      });
    }
    expect(Array.from(seen).every((count) => count === 1)).toBe(true);
  });

  it('same seed and epoch give the same order; another epoch or seed gives another', () => {
    const dataset = makeDataset(200);
    const order = (seed: number, epoch: number) =>
      Array.from(createBatches(dataset, { batchSize: 8, seed, epoch }).order);
    expect(order(1, 0)).toEqual(order(1, 0));
    expect(order(1, 1)).not.toEqual(order(1, 0));
    expect(order(2, 0)).not.toEqual(order(1, 0));
    expect(order(1, 0)).not.toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(Array.from(createBatches(dataset, { batchSize: 8, shuffle: false }).order)).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
  });

  it('puts each image in the first position about equally often over epochs (uniform shuffle)', () => {
    const dataset = makeDataset(4);
    const counts = [0, 0, 0, 0];
    const epochs = 4000;
    for (let epoch = 0; epoch < epochs; epoch++)
      counts[createBatches(dataset, { batchSize: 4, epoch }).order[0]!]! += 1;
    // Binomial(4000, 1/4): sd ≈ 27, so ±120 is beyond 4 sd.
    for (const count of counts) expect(Math.abs(count - epochs / 4)).toBeLessThan(120);
  });
});

describe('createBatches: binarisation', () => {
  it('static threshold gives 1 exactly where b / 255 > threshold', () => {
    const images = Uint8Array.from({ length: 256 }, (_, i) => i);
    const dataset = createDataset({ name: 'ramp', imageShape: [16, 16, 1], images });
    const { x } = read(createBatches(dataset, { batchSize: 1, binarize: 'static', shuffle: false }).batch(0));
    expect(Array.from(x)).toEqual(Array.from(images, (b) => (b / 255 > 0.5 ? 1 : 0)));
    expect(x[127]).toBe(0);
    expect(x[128]).toBe(1);
    const low = read(createBatches(dataset, { batchSize: 1, binarize: 'static', threshold: 0.1 }).batch(0)).x;
    expect(mean(low)).toBeCloseTo(Array.from(images).filter((b) => b / 255 > 0.1).length / 256, 6);
  });

  it('static sample is binary, has mean ≈ p and is the same in every epoch and batch position', () => {
    const dataset = flatDataset(50, 77); // p = 77/255 ≈ 0.302
    const config = { batchSize: 50, binarize: 'static', staticBinarization: 'sample', seed: 9 } as const;
    const a = createBatches(dataset, { ...config, epoch: 0 });
    const b = createBatches(dataset, { ...config, epoch: 1 });
    const xa = read(a.batch(0)).x;
    const xb = read(b.batch(0)).x;
    expect(new Set(xa)).toEqual(new Set([0, 1]));
    // 3200 Bernoulli(0.302) draws: sd of the mean ≈ 0.008
    expect(Math.abs(mean(xa) - 77 / 255)).toBeLessThan(0.035);
    const pixels = 64;
    for (let k = 0; k < 50; k++) {
      const imageA = a.batch(0).indices[k]!;
      const kb = Array.from(b.batch(0).indices).indexOf(imageA);
      expect(Array.from(xb.subarray(kb * pixels, (kb + 1) * pixels))).toEqual(
        Array.from(xa.subarray(k * pixels, (k + 1) * pixels)),
      );
    }
    const otherSeed = read(createBatches(dataset, { ...config, seed: 10, shuffle: false }).batch(0)).x;
    const sameSeed = read(createBatches(dataset, { ...config, shuffle: false }).batch(0)).x;
    expect(Array.from(otherSeed)).not.toEqual(Array.from(sameSeed));
  });

  it('dynamic resamples each epoch, repeats for the same seed and epoch, and has mean ≈ p', () => {
    const dataset = flatDataset(40, 200); // p ≈ 0.784
    const x = (epoch: number) =>
      read(createBatches(dataset, { batchSize: 40, binarize: 'dynamic', seed: 4, epoch, shuffle: false }).batch(0)).x;
    const first = x(0);
    expect(Array.from(x(0))).toEqual(Array.from(first));
    const second = x(1);
    expect(Array.from(second)).not.toEqual(Array.from(first));
    expect(new Set(first)).toEqual(new Set([0, 1]));
    // 2560 draws: sd of the mean ≈ 0.008
    expect(Math.abs(mean(first) - 200 / 255)).toBeLessThan(0.035);
    expect(Math.abs(mean(second) - 200 / 255)).toBeLessThan(0.035);
    // pixels 0 and 255 are deterministic under Bernoulli sampling
    const ends = createDataset({ name: 'ends', imageShape: [1, 2, 1], images: new Uint8Array([0, 255, 0, 255]) });
    expect(
      Array.from(read(createBatches(ends, { batchSize: 2, binarize: 'dynamic', shuffle: false }).batch(0)).x),
    ).toEqual([0, 1, 0, 1]);
  });
});

describe('createBatches: corruption for the denoising autoencoder', () => {
  it('gaussian: x - xClean has mean ≈ 0 and sd ≈ std, xClean is the clean image, values clipped to [0, 1]', () => {
    const dataset = flatDataset(30, 128); // 0.502, far from the clip edges for std 0.1
    const batch = createBatches(dataset, { batchSize: 30, corruption: { type: 'gaussian', std: 0.1 }, seed: 2 }).batch(
      0,
    );
    const { x, xClean } = read(batch);
    expect(Array.from(new Set(xClean))).toEqual([Math.fround(128 / 255)]);
    const noise = Array.from(x, (v, i) => v - xClean![i]!);
    const m = mean(noise);
    const sd = Math.sqrt(mean(noise.map((v) => (v - m) ** 2)));
    // 1920 draws: sd of the mean ≈ 0.0023, of the sd ≈ 0.0016
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(sd - 0.1)).toBeLessThan(0.008);
    const wide = read(createBatches(dataset, { batchSize: 30, corruption: { type: 'gaussian', std: 2 } }).batch(0)).x;
    expect(Math.min(...wide)).toBe(0);
    expect(Math.max(...wide)).toBe(1);
  });

  it('salt-and-pepper replaces a share `amount` of values, saltRatio of them by 1', () => {
    const dataset = flatDataset(40, 100);
    const corruption = { type: 'salt-and-pepper', amount: 0.2, saltRatio: 0.25 } as const;
    const { x } = read(createBatches(dataset, { batchSize: 40, corruption, seed: 1 }).batch(0));
    const salt = x.filter((v) => v === 1).length / x.length;
    const pepper = x.filter((v) => v === 0).length / x.length;
    const kept = x.filter((v) => Math.abs(v - 100 / 255) < 1e-6).length / x.length;
    // 2560 values: sd of each share < 0.009
    expect(Math.abs(salt - 0.05)).toBeLessThan(0.03);
    expect(Math.abs(pepper - 0.15)).toBeLessThan(0.035);
    expect(salt + pepper + kept).toBeCloseTo(1, 9);
  });

  it('masking zeroes a share `amount` of values and is seeded per (seed, epoch, batch)', () => {
    const dataset = flatDataset(40, 255);
    const run = (seed: number, epoch: number) =>
      read(
        createBatches(dataset, { batchSize: 40, corruption: { type: 'masking', amount: 0.3 }, seed, epoch }).batch(0),
      ).x;
    const a = run(0, 0);
    expect(Math.abs(a.filter((v) => v === 0).length / a.length - 0.3)).toBeLessThan(0.04);
    expect(Array.from(run(0, 0))).toEqual(Array.from(a));
    expect(Array.from(run(0, 1))).not.toEqual(Array.from(a));
  });
});

describe('createBatches: memory and errors', () => {
  it('leaks no tensor when batches are disposed, including a loop left early', async () => {
    const dataset = makeDataset(20);
    await expectNoLeak(() => {
      const batches = createBatches(dataset, {
        batchSize: 6,
        binarize: 'dynamic',
        corruption: { type: 'gaussian', std: 0.2 },
      });
      for (const batch of batches) {
        tf.dispose(batch);
        if (batch.index === 1) break;
      }
      return batches.batch(3);
    });
  });

  it('rejects bad config values and batch indices with exact messages', () => {
    const dataset = makeDataset(10);
    expect(() => createBatches(dataset, { batchSize: 0 })).toThrow(
      /^createBatches: expected config\.batchSize a positive integer, got 0\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, seed: -1 })).toThrow(
      /^createBatches: expected config\.seed an integer ≥ 0, got -1\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, epoch: 1.5 })).toThrow(
      /config\.epoch an integer ≥ 0, got 1\.5\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, binarize: 'always' as 'static' })).toThrow(
      /^createBatches: expected config\.binarize one of none \| static \| dynamic, got 'always'\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, threshold: 2 })).toThrow(
      /^createBatches: expected config\.threshold a number in \[0, 1\], got 2\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, corruption: { type: 'masking', amount: 1.5 } })).toThrow(
      /^createBatches: expected corruption\.amount a number in \[0, 1\], got 1\.5\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, corruption: { type: 'gaussian', std: -1 } })).toThrow(
      /^createBatches: expected corruption\.std a number in \[0, .*\], got -1\.$/,
    );
    expect(() => createBatches(dataset, { batchSize: 2, corruption: { type: 'blur' } as never })).toThrow(
      /^createBatches: expected corruption\.type one of gaussian \| salt-and-pepper \| masking, got 'blur'\.$/,
    );
    const batches = createBatches(dataset, { batchSize: 4 });
    expect(() => batches.batch(3)).toThrow(/^batches\.batch: expected index < 3 \(numBatches\), got 3\.$/);
    expect(() => batches.batch(-1)).toThrow(/^batches\.batch: expected index an integer ≥ 0, got -1\.$/);
  });

  it('exposes the resolved config with defaults', () => {
    const { config } = createBatches(makeDataset(3), { batchSize: 2, seed: undefined });
    expect(config).toEqual({
      batchSize: 2,
      shuffle: true,
      seed: 0,
      epoch: 0,
      binarize: 'none',
      staticBinarization: 'threshold',
      threshold: 0.5,
      dropRemainder: false,
      corruption: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
