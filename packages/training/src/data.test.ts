import * as tf from '@tensorflow/tfjs-core';
import { createCodeMapDataset, createDataset } from '@vaejs/datasets';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { dataSummary, testItems } from './data';

describe('dataSummary', () => {
  it('says what the data is in one line: name, count, item shape, the test count', () => {
    const images = (name: string, size: number) =>
      createDataset({ name, imageShape: [2, 3, 1], images: new Uint8Array(size * 6) });
    expect(dataSummary({ train: images('pics-train', 12345), test: images('pics-test', 7) })).toBe(
      'pics-train 12,345 images 2x3x1, test 7',
    );
    const maps = createCodeMapDataset({
      name: 'codes-train',
      codes: new Int32Array(8),
      height: 2,
      width: 2,
      numCategories: 16,
    });
    expect(dataSummary({ train: maps })).toBe('codes-train 2 code maps 2x2 of 16 codes');
  });
});

describe('testItems', () => {
  const dataset = createDataset({
    name: 'greys',
    imageShape: [1, 1, 1],
    images: Uint8Array.from([0, 64, 128, 191, 255]),
    labels: Int32Array.from([0, 1, 0, 1, 0]),
  });

  it('gives the items in order as one batch, with their labels, as trained (grey levels) by default', async () => {
    await expectNoLeak(() => {
      const batch = testItems(dataset, { count: 4 });
      expect(Array.from(batch.x.dataSync()).map((v) => Math.round(v * 255))).toEqual([0, 64, 128, 191]);
      expect(Array.from(batch.labels?.dataSync() ?? [])).toEqual([0, 1, 0, 1]);
      return batch;
    });
  });

  it('binarises a dynamically binarised run once, fixed by the seed', () => {
    const draw = (seed: number) => {
      const batch = testItems(dataset, { batches: { binarize: 'dynamic' }, seed });
      const values = Array.from(batch.x.dataSync());
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      return values;
    };
    const first = draw(3);
    expect(first.every((value) => value === 0 || value === 1)).toBe(true);
    expect([first[0], first[4]]).toEqual([0, 1]);
    expect(draw(3)).toEqual(first);
  });
});
