import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { DataError } from '@vaejs/core';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from './image-folder';

let root: string;

/** Writes a PNG whose RGBA pixels come from `pixel(x, y)`; colorType 0 = grey, 2 = RGB. */
function writePng(
  path: string,
  width: number,
  height: number,
  colorType: 0 | 2,
  pixel: (x: number, y: number) => number[],
) {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y) as [number, number, number];
      png.data.set([r, g, b, 255], 4 * (y * width + x));
    }
  }
  writeFileSync(path, PNG.sync.write(png, { colorType, inputColorType: 6 }));
}

const grey = (value: number) => () => [value, value, value];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-png-'));
  // grey/: two grey 4×3 images (width 4, height 3) with a horizontal ramp
  mkdirSync(join(root, 'grey'));
  writePng(join(root, 'grey', 'a.png'), 4, 3, 0, (x) => [x * 60, x * 60, x * 60]);
  writePng(join(root, 'grey', 'b.png'), 4, 3, 0, grey(200));
  // mixed/: a grey image and a pure red RGB image of the same size
  mkdirSync(join(root, 'mixed'));
  writePng(join(root, 'mixed', '1.png'), 2, 2, 0, grey(50));
  writePng(join(root, 'mixed', '2.png'), 2, 2, 2, () => [255, 0, 0]);
  // sizes/: 4×4 and 2×2 grey
  mkdirSync(join(root, 'sizes'));
  writePng(join(root, 'sizes', 'big.png'), 4, 4, 0, (x, y) => [(x + 4 * y) * 10, (x + 4 * y) * 10, (x + 4 * y) * 10]);
  writePng(join(root, 'sizes', 'small.png'), 2, 2, 0, grey(90));
  // classes/: two classes as sub-folders, names sorted
  for (const [cls, count] of [
    ['zebra', 1],
    ['cat', 2],
  ] as const) {
    mkdirSync(join(root, 'classes', cls), { recursive: true });
    for (let i = 0; i < count; i++)
      writePng(join(root, 'classes', cls, `${i}.png`), 2, 2, 0, grey(cls === 'cat' ? 10 : 250));
  }
  // both/: a PNG beside a class folder
  mkdirSync(join(root, 'both', 'one'), { recursive: true });
  writePng(join(root, 'both', 'top.png'), 2, 2, 0, grey(1));
  writePng(join(root, 'both', 'one', 'x.png'), 2, 2, 0, grey(1));
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'notes.txt'), 'no images here');
  mkdirSync(join(root, 'fake'));
  writeFileSync(join(root, 'fake', 'x.png'), 'not a png at all, just text');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadImageFolder', () => {
  it('reads grey PNGs as one channel, unlabelled, row-major', () => {
    const dataset = loadImageFolder({ dir: join(root, 'grey') });
    expect(dataset.name).toBe('grey');
    expect(dataset.imageShape).toEqual([3, 4, 1]);
    expect(dataset.size).toBe(2);
    expect(dataset.labels).toBeNull();
    expect(Array.from(dataset.images.subarray(0, 8))).toEqual([0, 60, 120, 180, 0, 60, 120, 180]);
    expect(Array.from(dataset.images.subarray(12, 24))).toEqual(new Array(12).fill(200));
  });

  it('makes three channels when any image has colour (grey replicated), or luma when asked for one', () => {
    const colour = loadImageFolder({ dir: join(root, 'mixed') });
    expect(colour.imageShape).toEqual([2, 2, 3]);
    expect(Array.from(colour.images.subarray(0, 3))).toEqual([50, 50, 50]);
    expect(Array.from(colour.images.subarray(12, 15))).toEqual([255, 0, 0]);
    const luma = loadImageFolder({ dir: join(root, 'mixed'), channels: 1 });
    expect(luma.imageShape).toEqual([2, 2, 1]);
    expect(luma.images[4]).toBe(Math.round(0.299 * 255)); // red → 76
  });

  it('rejects images of different sizes without options.size, naming both files', () => {
    expect(() => loadImageFolder({ dir: join(root, 'sizes') })).toThrow(DataError);
    expect(() => loadImageFolder({ dir: join(root, 'sizes') })).toThrow(
      /^loadImageFolder: expected every image 4×4 \(the size of '.*big\.png'; pass options\.size to resize\), got 2×2 in '.*small\.png'\.$/,
    );
  });

  it('resizes every image to options.size (area averages 2×2 blocks; bilinear upsamples)', () => {
    const area = loadImageFolder({ dir: join(root, 'sizes'), size: 2 });
    expect(area.imageShape).toEqual([2, 2, 1]);
    // big.png bytes (x + 4y)·10: block means 25, 45, 105, 125; small.png already 2×2
    expect(Array.from(area.images)).toEqual([25, 45, 105, 125, 90, 90, 90, 90]);
    const up = loadImageFolder({ dir: join(root, 'sizes'), size: [4, 4], resize: 'bilinear' });
    expect(up.imageShape).toEqual([4, 4, 1]);
    expect(Array.from(up.images.subarray(16))).toEqual(new Array(16).fill(90));
    expect(up.images[5]).toBe(50);
  });

  it('takes labels from sub-folder names in sorted order', () => {
    const dataset = loadImageFolder({ dir: join(root, 'classes') });
    expect(dataset.classNames).toEqual(['cat', 'zebra']);
    expect(dataset.numClasses).toBe(2);
    expect(Array.from(dataset.labels!)).toEqual([0, 0, 1]);
    expect([dataset.images[0], dataset.images[8]]).toEqual([10, 250]);
  });

  it('reports empty folders, files mixed with class folders, invalid PNGs and bad options', () => {
    expect(() => loadImageFolder({ dir: join(root, 'empty') })).toThrow(
      /^loadImageFolder: expected folder '.*empty' at least one \.png, \.jpg or \.jpeg image \(or sub-folders of them\), got none\.$/,
    );
    expect(() => loadImageFolder({ dir: join(root, 'both') })).toThrow(
      /^loadImageFolder: expected folder '.*both' images or class sub-folders of images, not both, got 1 images beside 1 sub-folders\.$/,
    );
    expect(() => loadImageFolder({ dir: join(root, 'fake') })).toThrow(
      /^loadImageFolder: expected file '.*x\.png' a PNG \(signature 89 50 4e 47 0d 0a 1a 0a\), got other bytes\.$/,
    );
    expect(() => loadImageFolder({ dir: join(root, 'missing') })).toThrow(
      /^loadImageFolder: expected folder '.*missing' to exist and be readable, got ENOENT\.$/,
    );
    expect(() => loadImageFolder({ dir: join(root, 'grey'), channels: 4 as 3 })).toThrow(
      /^loadImageFolder: expected options\.channels 1 or 3, got 4\.$/,
    );
    expect(() => loadImageFolder({ dir: join(root, 'grey'), size: [0, 3] })).toThrow(
      /^loadImageFolder: expected options\.size\[0\] \(height\) a positive integer, got 0\.$/,
    );
  });

  it('refuses from the header an image too large, or above maxBytes, and a folder above it, before inflating', () => {
    const folder = (name: string, files: Record<string, Buffer>) => {
      const dir = join(root, name);
      mkdirSync(dir);
      for (const [file, bytes] of Object.entries(files)) writeFileSync(join(dir, file), bytes);
      return dir;
    };
    // a PNG of a few bytes that declares 30000 × 30000 (3.4 GB once decoded)
    const huge = folder('huge', { 'a.png': rawPng(30000, 30000, 0, deflateSync(Buffer.alloc(1000))) });
    const started = performance.now();
    expect(() => loadImageFolder({ dir: huge })).toThrow(
      /^loadImageFolder: expected file '.*huge\/a\.png' an image of at most 67,108,864 pixels \(8192 × 8192\), got 30000 × 30000 \(3,433 MB decoded\)\.$/,
    );
    expect(performance.now() - started).toBeLessThan(500);
    const large = folder('large', { 'a.png': rawPng(2048, 2048, 0, deflateSync(Buffer.alloc(1000))) });
    expect(() => loadImageFolder({ dir: large, maxBytes: 8 * 2 ** 20 })).toThrow(
      /^loadImageFolder: expected file '.*large\/a\.png' an image of at most 67,108,864 pixels \(8192 × 8192\) and 8 MB decoded \(the memory allowed\), got 2048 × 2048 \(16 MB decoded\)\.$/,
    );
    const many = join(root, 'many');
    mkdirSync(many);
    for (let i = 0; i < 5; i++) writePng(join(many, `${i}.png`), 64, 64, 0, grey(i));
    expect(() => loadImageFolder({ dir: many, maxBytes: 20_000 })).toThrow(
      /^loadImageFolder: expected folder '.*many' images within 20,000 bytes \(the memory allowed\), got 5 images of 64×64×1 \(20,480 bytes\)\.$/,
    );
    expect(loadImageFolder({ dir: many, maxBytes: 20_480 }).size).toBe(5);
  });

  it('stops an interlaced PNG whose image data inflates past what its header promises', () => {
    const dir = join(root, 'interlaced-bomb');
    mkdirSync(dir);
    // 16 × 16 grey, interlaced: its 7 passes take 286 bytes; its data inflates to 64 MB
    writeFileSync(join(dir, 'a.png'), rawPng(16, 16, 1, deflateSync(Buffer.alloc(2 ** 26), { level: 9 })));
    const started = performance.now();
    expect(() => loadImageFolder({ dir })).toThrow(
      /^loadImageFolder: expected file '.*a\.png' image data that inflates to the 286 bytes its header promises, got more\.$/,
    );
    expect(performance.now() - started).toBeLessThan(500);
  });
});

/** A PNG's bytes, chunk by chunk (CRCs left 0: the limits are checked before any decoder reads them). */
function rawPng(width: number, height: number, interlace: number, idat: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, interlace], 8); // 8-bit grey
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

describe('loadImageFolder with JPEGs', () => {
  /** Writes a JPEG (jpeg-js, quality 100) of one flat colour. */
  function writeJpeg(path: string, width: number, height: number, rgb: [number, number, number]) {
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([...rgb, 255], 4 * i);
    writeFileSync(path, encodeJpeg({ width, height, data }, 100).data);
  }

  it('reads a folder of JPEGs only, in class sub-folders, beside PNGs, with their sizes from the frame header', () => {
    const dir = join(root, 'jpegs');
    mkdirSync(join(dir, 'red'), { recursive: true });
    mkdirSync(join(dir, 'grey'), { recursive: true });
    writeJpeg(join(dir, 'red', 'a.jpg'), 16, 8, [220, 30, 40]);
    writeJpeg(join(dir, 'grey', 'b.JPEG'), 16, 8, [128, 128, 128]);
    writePng(join(dir, 'grey', 'c.png'), 16, 8, 2, () => [60, 60, 60]);
    const set = loadImageFolder({ dir });
    expect([set.size, ...set.imageShape]).toEqual([3, 8, 16, 3]);
    expect(set.classNames).toEqual(['grey', 'red']);
    expect(Array.from(set.labels!)).toEqual([0, 0, 1]);
    // flat colours come back within the rounding of the JPEG's colour transform
    const pixel = (image: number) => Array.from(set.images.subarray(image * 384, image * 384 + 3));
    for (const [image, rgb] of [
      [0, [128, 128, 128]],
      [1, [60, 60, 60]],
      [2, [220, 30, 40]],
    ] as const) {
      const differences = pixel(image).map((value, c) => Math.abs(value - (rgb[c] as number)));
      expect(Math.max(...differences), `image ${image}`).toBeLessThanOrEqual(3);
    }
    // resized like a PNG
    expect(loadImageFolder({ dir: join(dir, 'red'), size: 4 }).imageShape).toEqual([4, 4, 3]);
  });

  it('names a file that is not a JPEG', () => {
    const dir = join(root, 'bad-jpeg');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'x.jpg'), 'not a jpeg');
    expect(() => loadImageFolder({ dir })).toThrow(
      /^loadImageFolder: expected file '.*x\.jpg' a JPEG \(FF D8, then a frame header\), got other bytes\.$/,
    );
  });
});
