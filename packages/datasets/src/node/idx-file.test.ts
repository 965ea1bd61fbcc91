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

describe('readIdxFile: decompression limits', () => {
  it('stops inflating past what the header promises: a small gzip claiming 10 images that inflates to 64 MB', () => {
    // 10 images of 28×28 promised (7,856 bytes), 64 MB of zeros behind the header: about 64 KB of gzip
    const header = encodeIdx('uint8', [10, 28, 28], new Uint8Array(7840)).subarray(0, 16);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(2 ** 26)]), { level: 9 });
    expect(bomb.length).toBeLessThan(2 ** 17);
    writeFileSync(join(root, 'bomb-idx3-ubyte.gz'), bomb);
    const started = performance.now();
    expect(() => readIdxFile(join(root, 'bomb-idx3-ubyte.gz'))).toThrow(
      /^readIdxFile: expected IDX file '.*bomb-idx3-ubyte\.gz' to inflate to the 7,856 bytes its header promises \(16 header \+ 10×28×28 uint8 values\), got more \(trailing bytes\)\.$/,
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('refuses a header that declares more than maxBytes, before inflating anything', () => {
    // a million images of 28×28 declared (748 MB): the first bytes say so
    const header = encodeIdx('uint8', [1, 28, 28], new Uint8Array(784)).subarray(0, 16);
    new DataView(header.buffer, header.byteOffset).setUint32(4, 1_000_000, false);
    writeFileSync(join(root, 'huge-idx3-ubyte.gz'), gzipSync(Buffer.concat([header, Buffer.alloc(1000)])));
    writeFileSync(join(root, 'huge-idx3-ubyte'), Buffer.concat([header, Buffer.alloc(1000)]));
    for (const name of ['huge-idx3-ubyte.gz', 'huge-idx3-ubyte']) {
      expect(() => readIdxFile(join(root, name), { maxBytes: 64 * 2 ** 20 })).toThrow(
        /^readIdxFile: expected IDX file '.*huge-idx3-ubyte(\.gz)?' at most 64 MB \(the memory allowed\), got a header of 1000000 × 28 × 28 uint8 values \(748 MB\)\.$/,
      );
    }
    // without a limit, the raw file is what it is: truncated
    expect(() => readIdxFile(join(root, 'huge-idx3-ubyte'))).toThrow(/\(truncated\)\.$/);
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
