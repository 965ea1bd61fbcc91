import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vaejs/core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx';
import { datasetSource, loadSplits } from './load-splits';

let root: string;

/** A folder of `count` grey PNG images of 3×2 pixels, the i-th of grey level 10·i. */
function writeImages(dir: string, count: number): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const png = new PNG({ width: 3, height: 2 });
    for (let p = 0; p < 6; p++) png.data.set([10 * i, 10 * i, 10 * i, 255], 4 * p);
    writeFileSync(join(dir, `${String(i).padStart(2, '0')}.png`), PNG.sync.write(png, { colorType: 0 }));
  }
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-splits-'));
  mkdirSync(join(root, 'idx'));
  for (const [prefix, count] of [
    ['train', 6],
    ['t10k', 4],
  ] as const) {
    const pixels = new Uint8Array(count * 4).map((_, i) => i);
    writeFileSync(join(root, 'idx', `${prefix}-images-idx3-ubyte`), encodeIdx('uint8', [count, 2, 2], pixels));
    writeFileSync(join(root, 'idx', `${prefix}-labels-idx1-ubyte`), encodeIdx('uint8', [count], new Uint8Array(count)));
  }
  writeImages(join(root, 'images'), 20);
  writeImages(join(root, 'one'), 1);
});

describe('datasetSource', () => {
  it('tells a named dataset, a folder of IDX files and a folder of images apart', () => {
    expect(datasetSource('mnist')).toEqual({ source: 'mnist' });
    expect(datasetSource(join(root, 'idx'))).toEqual({ source: 'idx', dir: join(root, 'idx') });
    expect(datasetSource(join(root, 'images'))).toEqual({ source: 'images', dir: join(root, 'images') });
  });

  it('names the caller and its argument for what is neither', () => {
    expect(() => datasetSource('cifar')).toThrow(
      /^loadSplits: expected options\.dataset mnist \| fashion-mnist \| an existing folder, got 'cifar' \(no such folder\)\.$/,
    );
    expect(() => datasetSource('/no/such', { fn: 'vaejs train', argument: '--dataset' })).toThrow(ConfigError);
    expect(() => datasetSource('/no/such', { fn: 'vaejs train', argument: '--dataset' })).toThrow(
      /^vaejs train: expected --dataset mnist \| fashion-mnist \| an existing folder, got '\/no\/such' \(no such folder\)\.$/,
    );
  });
});

describe('loadSplits', () => {
  it("loads a named dataset's or an IDX folder's two splits, the first N of each when asked", () => {
    const mnist = loadSplits({ dataset: 'mnist', limit: 100, testLimit: 30 });
    expect([mnist.train.name, mnist.train.size, mnist.test.name, mnist.test.size]).toEqual([
      'mnist-train[0:100]',
      100,
      'mnist-test[0:30]',
      30,
    ]);
    const idx = loadSplits({ dataset: join(root, 'idx') });
    expect([idx.train.size, idx.test.size, Array.from(idx.test.images.subarray(0, 4))]).toEqual([6, 4, [0, 1, 2, 3]]);
  });

  it('holds out the last 10 % of an image folder as its test split, at least one image', () => {
    const { train, test } = loadSplits({ dataset: join(root, 'images') });
    expect([train.size, test.size, test.images[0]]).toEqual([18, 2, 180]);
    expect([train.name, test.name]).toEqual(['images-train', 'images-test']);
    const one = loadSplits({ dataset: join(root, 'one') });
    expect([one.train.size, one.test.size]).toEqual([0, 1]);
  });
});
