import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../idx';
import { loadIdxFolder, readIdxFile } from './idx-file';

let root: string;
const imageValues = Array.from({ length: 3 * 2 * 2 }, (_, i) => (i * 21) % 256);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-idx-'));
  // An MNIST-layout folder: gzipped train images, raw train labels, dotted t10k names.
  const dir = join(root, 'digits');
  mkdirSync(dir);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx('uint8', [3, 2, 2], imageValues)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [3], [4, 0, 9]));
  writeFileSync(join(dir, 't10k-images.idx3-ubyte'), encodeIdx('uint8', [1, 2, 2], [1, 2, 3, 4]));
  writeFileSync(join(dir, 't10k-labels.idx1-ubyte.gz'), gzipSync(encodeIdx('uint8', [1], [7])));
  // A folder whose label count disagrees with its image count.
  const bad = join(root, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'train-images-idx3-ubyte'), encodeIdx('uint8', [3, 2, 2], imageValues));
  writeFileSync(join(bad, 'train-labels-idx1-ubyte'), encodeIdx('uint8', [2], [1, 2]));
  writeFileSync(join(root, 'raw.idx'), encodeIdx('int16', [2, 2], [1, -1, 300, -300]));
  writeFileSync(join(root, 'raw.idx.gz'), gzipSync(encodeIdx('int16', [2, 2], [1, -1, 300, -300])));
  writeFileSync(join(root, 'broken.gz'), gzipSync(encodeIdx('uint8', [100], new Array(100).fill(1))).subarray(0, 20));
  writeFileSync(join(root, 'short.gz'), gzipSync(encodeIdx('uint8', [100], new Array(100).fill(1)).subarray(0, 50)));
  writeFileSync(join(root, 'wrong'), Buffer.from('PK\u0003\u0004 zip archive'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readIdxFile', () => {
  it('reads raw and gzip files to the same values (gzip told by its magic, not the name)', () => {
    const raw = readIdxFile(join(root, 'raw.idx'));
    const gz = readIdxFile(join(root, 'raw.idx.gz'));
    expect(raw.shape).toEqual([2, 2]);
    expect(raw.dtype).toBe('int16');
    expect(Array.from(raw.data)).toEqual([1, -1, 300, -300]);
    expect(Array.from(gz.data)).toEqual(Array.from(raw.data));
    expect(gz.source).toBe(join(root, 'raw.idx.gz'));
  });

  it('names the file when it is missing, bad gzip, truncated or not IDX', () => {
    const missing = join(root, 'nope');
    expect(() => readIdxFile(missing)).toThrow(DataError);
    expect(() => readIdxFile(missing)).toThrow(
      /^readIdxFile: expected file '.*nope' to exist and be readable, got ENOENT\.$/,
    );
    expect(() => readIdxFile(join(root, 'broken.gz'))).toThrow(
      /^readIdxFile: expected file '.*broken\.gz' a valid gzip stream, got .+\.$/,
    );
    expect(() => readIdxFile(join(root, 'short.gz'))).toThrow(
      /^parseIdx: expected IDX file '.*short\.gz' 108 bytes \(8 header \+ 100 uint8 values\), got 50 bytes \(truncated\)\.$/,
    );
    expect(() => readIdxFile(join(root, 'wrong'))).toThrow(
      /^parseIdx: expected IDX file '.*wrong' magic number 0x0000<dtype><rank> with rank ≥ 1, got 0x504b0304 \(not an IDX file\)\.$/,
    );
  });
});

describe('loadIdxFolder', () => {
  it('finds train-* and t10k-* files, raw or gzip, dashed or dotted', () => {
    const train = loadIdxFolder({ dir: join(root, 'digits') });
    expect(train.name).toBe('digits-train');
    expect(train.size).toBe(3);
    expect(train.imageShape).toEqual([2, 2, 1]);
    expect(Array.from(train.images)).toEqual(imageValues);
    expect(Array.from(train.labels!)).toEqual([4, 0, 9]);
    expect(train.numClasses).toBe(10);
    const test = loadIdxFolder({ dir: join(root, 'digits'), split: 'test', name: 'd', numClasses: 12 });
    expect([test.name, test.size, test.labels![0], test.numClasses]).toEqual(['d', 1, 7, 12]);
    const unlabelled = loadIdxFolder({ dir: join(root, 'digits'), labelsFile: null });
    expect(unlabelled.labels).toBeNull();
  });

  it('reports a count mismatch naming both files', () => {
    expect(() => loadIdxFolder({ dir: join(root, 'bad') })).toThrow(
      /^datasetFromIdx: expected labels '.*bad\/train-labels-idx1-ubyte' 3 items \(the image count of '.*bad\/train-images-idx3-ubyte'\), got 2\.$/,
    );
  });

  it('lists the names it tried when a file is missing', () => {
    expect(() => loadIdxFolder({ dir: join(root, 'bad'), split: 'test' })).toThrow(
      /^loadIdxFolder: expected images file in '.*bad' one of t10k-images-idx3-ubyte, t10k-images-idx3-ubyte\.gz, t10k-images\.idx3-ubyte, t10k-images\.idx3-ubyte\.gz, test-images-idx3-ubyte, .*, got none of them\.$/,
    );
    expect(() => loadIdxFolder({ dir: root, imagesFile: 'raw.idx', labelsFile: 'missing' })).toThrow(
      /^loadIdxFolder: expected labels file in '.*' one of missing, got none of them\.$/,
    );
  });
});
