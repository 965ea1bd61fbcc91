import * as tf from '@tensorflow/tfjs-core';
import { DataError, ValueError } from '@vaejs/core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { createBatches } from './batches';
import { type CodeMapBatch, createCodeMapBatches, createCodeMapDataset, subsetCodeMaps } from './code-maps';
import { createDataset } from './dataset';

/** n maps of 2×3 whose codes are (map + position) mod K, labels map mod 3. */
function makeMaps(n: number, numCategories = 5, labelled = true) {
  return createCodeMapDataset({
    name: 'maps',
    codes: Int32Array.from({ length: n * 6 }, (_, i) => (Math.floor(i / 6) + (i % 6)) % numCategories),
    height: 2,
    width: 3,
    numCategories,
    labels: labelled ? Int32Array.from({ length: n }, (_, i) => i % 3) : null,
  });
}

function read(batch: CodeMapBatch) {
  const out = {
    shape: batch.x.shape,
    dtype: batch.x.dtype,
    x: Array.from(batch.x.dataSync()),
    labels: batch.labels ? Array.from(batch.labels.dataSync()) : undefined,
  };
  tf.dispose(batch);
  return out;
}

describe('createCodeMapDataset', () => {
  it('derives size and numClasses, keeps the arrays and freezes the result', () => {
    const maps = makeMaps(7);
    expect([maps.kind, maps.name, maps.size, maps.height, maps.width]).toEqual(['code-maps', 'maps', 7, 2, 3]);
    expect([maps.numCategories, maps.numClasses]).toEqual([5, 3]);
    expect(Object.isFrozen(maps)).toBe(true);
    expect(makeMaps(4, 5, false).numClasses).toBe(0);
    const labels = new Int32Array([0, 1]);
    const explicit = createCodeMapDataset({
      name: 'k',
      codes: new Int32Array(4),
      height: 1,
      width: 2,
      numCategories: 1,
      labels,
      numClasses: 10,
    });
    expect(explicit.numClasses).toBe(10);
    expect(explicit.labels).toBe(labels);
  });

  it.each([
    [
      { codes: new Int32Array(5) },
      /^createCodeMapDataset: expected codes a length that is a multiple of 2×3, got 5\.$/,
    ],
    [
      { codes: Int32Array.from([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 0]) },
      /^createCodeMapDataset: expected codes values in \[0, 4\] \(numCategories 5\), got 5 at map 1, position 4\.$/,
    ],
    [
      { codes: Int32Array.from([0, -1, 0, 0, 0, 0]) },
      /^createCodeMapDataset: expected codes values in \[0, 4\] \(numCategories 5\), got -1 at map 0, position 1\.$/,
    ],
    [{ codes: [0, 1, 2, 3, 4, 0] }, /^createCodeMapDataset: expected codes an Int32Array, got Array of 6\.$/],
    [{ labels: new Int32Array(2) }, /^createCodeMapDataset: expected labels 1 items \(one per map\), got 2\.$/],
    [{ labels: new Int32Array([-2]) }, /^createCodeMapDataset: expected labels values ≥ 0, got -2 at index 0\.$/],
    [
      { labels: new Int32Array([4]), numClasses: 3 },
      /^createCodeMapDataset: expected labels values < 3 \(numClasses\), got 4\.$/,
    ],
    [{ numCategories: 0 }, /^createCodeMapDataset: expected numCategories a positive integer, got 0\.$/],
    [{ height: 1.5 }, /^createCodeMapDataset: expected height a positive integer, got 1\.5\.$/],
  ])('rejects %j', (override, message) => {
    const init = { name: 'bad', codes: new Int32Array(6), height: 2, width: 3, numCategories: 5, ...override };
    expect(() => createCodeMapDataset(init as Parameters<typeof createCodeMapDataset>[0])).toThrow(message);
  });

  it('throws DataError for bad data', () => {
    expect(() =>
      createCodeMapDataset({ name: 'b', codes: new Int32Array([9]), height: 1, width: 1, numCategories: 2 }),
    ).toThrow(DataError);
  });
});

describe('subsetCodeMaps', () => {
  it('shares the arrays and slices the labels', () => {
    const maps = makeMaps(5);
    const part = subsetCodeMaps(maps, 1, 3);
    expect([part.kind, part.name, part.size, part.numCategories, part.numClasses]).toEqual([
      'code-maps',
      'maps[1:3]',
      2,
      5,
      3,
    ]);
    expect(Array.from(part.codes)).toEqual(Array.from(maps.codes.subarray(6, 18)));
    expect(part.codes.buffer).toBe(maps.codes.buffer);
    expect(Array.from(part.labels ?? [])).toEqual([1, 2]);
    expect(subsetCodeMaps(maps, 0, 2, 'first').name).toBe('first');
    expect(() => subsetCodeMaps(maps, 2, 6)).toThrow(ValueError);
    expect(() => subsetCodeMaps(maps, 2, 6)).toThrow(
      /^subsetCodeMaps: expected end ≤ 5 \(dataset\.size of 'maps'\), got 6\.$/,
    );
  });
});

describe('createCodeMapBatches', () => {
  it('gives int32 [b, h, w] maps and int32 labels, in order without shuffle, a smaller last batch', () => {
    const maps = makeMaps(5);
    const batches = createCodeMapBatches(maps, { batchSize: 2, shuffle: false });
    expect(batches.numBatches).toBe(3);
    const all = [...batches].map(read);
    expect(all.map((batch) => batch.shape)).toEqual([
      [2, 2, 3],
      [2, 2, 3],
      [1, 2, 3],
    ]);
    expect(all.every((batch) => batch.dtype === 'int32')).toBe(true);
    expect(all.flatMap((batch) => batch.x)).toEqual(Array.from(maps.codes));
    expect(all.flatMap((batch) => batch.labels)).toEqual([0, 1, 2, 0, 1]);
    expect(createCodeMapBatches(maps, { batchSize: 2, dropRemainder: true }).numBatches).toBe(2);
    expect(read(createCodeMapBatches(makeMaps(3, 5, false), { batchSize: 3 }).batch(0)).labels).toBeUndefined();
  });

  it('shuffles by (seed, epoch) exactly as createBatches shuffles images', () => {
    const maps = makeMaps(40);
    const images = createDataset({ name: 'images', imageShape: [1, 1, 1], images: new Uint8Array(40) });
    const order = (seed: number, epoch: number) =>
      Array.from(createCodeMapBatches(maps, { batchSize: 8, seed, epoch }).order);
    expect(order(3, 2)).toEqual(Array.from(createBatches(images, { batchSize: 8, seed: 3, epoch: 2 }).order));
    expect(order(3, 2)).toEqual(order(3, 2));
    expect(order(3, 1)).not.toEqual(order(3, 2));
    expect(order(4, 2)).not.toEqual(order(3, 2));
    expect([...order(3, 2)].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // batch i holds the maps order[8i .. 8i+8), labels with them
    const batches = createCodeMapBatches(maps, { batchSize: 8, seed: 3, epoch: 2 });
    const second = read(batches.batch(1));
    const chosen = order(3, 2).slice(8, 16);
    expect(second.x).toEqual(chosen.flatMap((item) => Array.from(maps.codes.subarray(item * 6, item * 6 + 6))));
    expect(second.labels).toEqual(chosen.map((item) => item % 3));
    const again = batches.batch(1);
    expect(Array.from(again.indices)).toEqual(chosen);
    tf.dispose(again);
  });

  it('leaks no tensor; rejects bad config values and batch indices', async () => {
    const maps = makeMaps(5);
    await expectNoLeak(() => {
      for (const batch of createCodeMapBatches(maps, { batchSize: 2, seed: 1 })) tf.dispose(batch);
    });
    const batches = createCodeMapBatches(maps, { batchSize: 2 });
    expect(() => batches.batch(3)).toThrow(/^codeMapBatches\.batch: expected index < 3 \(numBatches\), got 3\.$/);
    expect(() => createCodeMapBatches(maps, { batchSize: 0 })).toThrow(
      /^createCodeMapBatches: expected config\.batchSize a positive integer, got 0\.$/,
    );
    expect(() => createCodeMapBatches(maps, { batchSize: 2, epoch: -1 })).toThrow(
      /^createCodeMapBatches: expected config\.epoch an integer ≥ 0, got -1\.$/,
    );
    expect(batches.config).toEqual({ batchSize: 2, shuffle: true, seed: 0, epoch: 0, dropRemainder: false });
  });
});
