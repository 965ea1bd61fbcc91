import { ConfigError, DataError, ValueError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { createDataset, datasetFromIdx, holdOutTest, splitValidation, subset } from './dataset';
import { encodeIdx, parseIdx } from './idx';

const images = Uint8Array.from({ length: 5 * 4 }, (_, i) => i);
const labels = new Int32Array([0, 3, 1, 1, 2]);

describe('createDataset', () => {
  it('derives size and numClasses (largest label + 1) and freezes the result', () => {
    const dataset = createDataset({ name: 'd', imageShape: [2, 2, 1], images, labels });
    expect(dataset.kind).toBe('images');
    expect(dataset.size).toBe(5);
    expect(dataset.numClasses).toBe(4);
    expect(dataset.imageShape).toEqual([2, 2, 1]);
    expect(Object.isFrozen(dataset)).toBe(true);
    expect(createDataset({ name: 'u', imageShape: [2, 2, 1], images }).numClasses).toBe(0);
    expect(createDataset({ name: 'k', imageShape: [2, 2, 1], images, labels, numClasses: 10 }).numClasses).toBe(10);
  });

  it('rejects inconsistent bytes, labels and shapes', () => {
    expect(() => createDataset({ name: 'd', imageShape: [3, 3, 1], images })).toThrow(
      /^createDataset: expected images a length that is a multiple of 3×3×1, got 20\.$/,
    );
    expect(() => createDataset({ name: 'd', imageShape: [2, 2, 1], images, labels: new Int32Array(4) })).toThrow(
      /^createDataset: expected labels 5 items \(one per image\), got 4\.$/,
    );
    expect(() =>
      createDataset({ name: 'd', imageShape: [2, 2, 1], images, labels: new Int32Array([0, 0, -1, 0, 0]) }),
    ).toThrow(/^createDataset: expected labels values ≥ 0, got -1 at index 2\.$/);
    expect(() => createDataset({ name: 'd', imageShape: [2, 2, 1], images, labels, numClasses: 3 })).toThrow(
      /^createDataset: expected labels values < 3 \(numClasses\), got 3\.$/,
    );
    expect(() => createDataset({ name: 'd', imageShape: [2, 0, 1], images })).toThrow(ConfigError);
  });
});

describe('datasetFromIdx', () => {
  const imageFile = parseIdx(
    encodeIdx(
      'uint8',
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => i),
    ),
    'imgs',
  );
  it('turns [n,h,w] uint8 images and uint8 labels into a dataset with one channel', () => {
    const labelFile = parseIdx(encodeIdx('uint8', [3], [2, 0, 1]), 'labs');
    const dataset = datasetFromIdx(imageFile, labelFile, { name: 'x' });
    expect(dataset.imageShape).toEqual([2, 2, 1]);
    expect(dataset.size).toBe(3);
    expect(dataset.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(dataset.labels!)).toEqual([2, 0, 1]);
    expect(dataset.numClasses).toBe(3);
  });

  it('names both files when the image and label counts differ', () => {
    const labelFile = parseIdx(encodeIdx('uint8', [2], [2, 0]), 'labs');
    expect(() => datasetFromIdx(imageFile, labelFile, { name: 'x' })).toThrow(DataError);
    expect(() => datasetFromIdx(imageFile, labelFile, { name: 'x' })).toThrow(
      /^datasetFromIdx: expected labels 'labs' 3 items \(the image count of 'imgs'\), got 2\.$/,
    );
  });

  it('rejects non-uint8 images, a wrong image rank and float labels', () => {
    const floats = parseIdx(encodeIdx('float32', [1, 1, 1], [0.5]), 'f');
    expect(() => datasetFromIdx(floats, null, { name: 'x' })).toThrow(
      /^datasetFromIdx: expected images 'f' dtype uint8, got dtype float32\.$/,
    );
    const flat = parseIdx(encodeIdx('uint8', [4], [1, 2, 3, 4]), 'flat');
    expect(() => datasetFromIdx(flat, null, { name: 'x' })).toThrow(
      /^datasetFromIdx: expected images 'flat' rank 3 \[n,h,w\] or 4 \[n,h,w,c\], got shape \[4\]\.$/,
    );
    const floatLabels = parseIdx(encodeIdx('float64', [3], [0, 1, 2]), 'fl');
    expect(() => datasetFromIdx(imageFile, floatLabels, { name: 'x' })).toThrow(
      /^datasetFromIdx: expected labels 'fl' integer rank 1 \[n\], got float64 \[3\]\.$/,
    );
  });
});

describe('subset and splitValidation', () => {
  const dataset = createDataset({ name: 'd', imageShape: [2, 2, 1], images, labels });
  it('subset shares bytes and slices labels', () => {
    const part = subset(dataset, 1, 3);
    expect(part.size).toBe(2);
    expect(part.name).toBe('d[1:3]');
    expect(Array.from(part.images)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(part.images.buffer).toBe(dataset.images.buffer);
    expect(Array.from(part.labels!)).toEqual([3, 1]);
    expect(part.numClasses).toBe(4);
    expect(part.kind).toBe('images');
    expect(() => subset(dataset, 2, 6)).toThrow(ValueError);
    expect(() => subset(dataset, 2, 6)).toThrow(/^subset: expected end ≤ 5 \(dataset\.size of 'd'\), got 6\.$/);
    expect(() => subset(dataset, 3, 2)).toThrow(/^subset: expected end an integer ≥ 3, got 2\.$/);
  });

  it('splitValidation keeps the last images for validation', () => {
    const { train, validation } = splitValidation(dataset, 2);
    expect([train.size, validation.size]).toEqual([3, 2]);
    expect(Array.from(validation.labels!)).toEqual([1, 2]);
    expect(validation.name).toBe('d-validation');
    expect(() => splitValidation(dataset, 5)).toThrow(
      /^splitValidation: expected validationSize < 5 \(dataset\.size\), got 5\.$/,
    );
  });
});

describe('holdOutTest', () => {
  const dataset = createDataset({
    name: 'faces',
    images: new Uint8Array(25).map((_, i) => i),
    imageShape: [1, 1, 1],
  });

  it('holds out the last share of the images (at least one) as the test split', () => {
    const { train, test } = holdOutTest(dataset);
    expect([train.name, train.size, test.name, test.size, test.images[0]]).toEqual([
      'faces-train',
      23,
      'faces-test',
      2,
      23,
    ]);
    expect(holdOutTest(dataset, 0.5).test.size).toBe(12);
    expect(holdOutTest(subset(dataset, 0, 3)).test.size).toBe(1);
  });

  it('holds out the last share of each class of labelled images, so every class is tested in its proportion', () => {
    // classes in folder order: 20 of class 0, 10 of class 1, 1 of class 2 (too few to hold one out)
    const labels = Int32Array.from({ length: 31 }, (_, i) => (i < 20 ? 0 : i < 30 ? 1 : 2));
    const labelled = createDataset({
      name: 'pets',
      images: new Uint8Array(31).map((_, i) => i),
      imageShape: [1, 1, 1],
      labels,
    });
    const { train, test } = holdOutTest(labelled);
    expect([train.name, train.size, test.name, test.size]).toEqual(['pets-train', 28, 'pets-test', 3]);
    expect(Array.from(test.images)).toEqual([18, 19, 29]);
    expect(Array.from(test.labels!)).toEqual([0, 0, 1]);
    expect(Array.from(train.labels!)).toEqual([...Array(18).fill(0), ...Array(9).fill(1), 2]);
    expect(train.images[27]).toBe(30);
    expect(train.numClasses).toBe(3);
    // one class alone: the last share, as for unlabelled images
    const one = createDataset({
      name: 'one',
      images: new Uint8Array(10),
      imageShape: [1, 1, 1],
      labels: new Int32Array(10),
    });
    expect(holdOutTest(one).test.size).toBe(1);
  });

  it('takes a share in [0, 1]', () => {
    expect(() => holdOutTest(dataset, 2)).toThrow(/^holdOutTest: expected share /);
  });
});
