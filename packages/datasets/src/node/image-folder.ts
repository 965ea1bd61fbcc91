/**
 * A folder of PNG and JPEG images as a dataset (Node only): any size, grey or colour, resized to one size or rejected.
 * Sub-folders are classes (label = index of the sub-folder name in sorted order); images directly in the folder are
 * unlabelled. Alpha is dropped. JPEGs are decoded by jpeg-js (pure JavaScript, baseline and progressive).
 */
// Default imports of node builtins (not named ones): browser bundlers replace builtins with empty stubs, and named
// imports from a stub fail the build, while a default import only fails if the Node-only function is called.
import fs from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { assertOneOf, assertPositiveInt, DataError, formatExpected } from '@vaejs/core';
import type * as JpegJs from 'jpeg-js';
import type * as Pngjs from 'pngjs';
import { createDataset, type ImageDataset } from '../dataset';
import { type ResizeMethod, resizeImage } from '../resize';

/** Options of `loadImageFolder`. Only `dir` is required. */
export interface ImageFolderOptions {
  /** The folder: PNG or JPEG files (.png, .jpg, .jpeg), or one sub-folder of them per class. */
  dir: string;
  /** `[height, width]` (or one number for square) to resize every image to; without it all sizes must agree. */
  size?: number | readonly [number, number];
  /** 1 (grey) or 3 (RGB); default 1 when every image is grey, else 3. Colour to grey uses Rec. 601 luma. */
  channels?: 1 | 3;
  /** How to resize (default `'area'`, best for shrinking). */
  resize?: ResizeMethod;
  /** Dataset name (default: the folder name). */
  name?: string;
  /**
   * The most bytes the images may take: each one while it is decoded (RGBA), and the dataset. Checked from each PNG's
   * header before anything is inflated. Default: no limit beyond 2^26 pixels an image.
   */
  maxBytes?: number;
}

/**
 * @returns uint8 images `[n, h, w, c]`, int32 labels `[n]` from sub-folder names (`classNames`), or null labels
 * @throws DataError when the folder has no image, a file is not a valid PNG or JPEG, or sizes differ and no `size`
 * is given
 * @example loadImageFolder({ dir: 'faces', size: 32, channels: 3 }).imageShape; // [32, 32, 3]
 */
export function loadImageFolder(options: ImageFolderOptions): ImageDataset {
  const fn = 'loadImageFolder';
  const method = options.resize ?? 'area';
  assertOneOf(fn, 'options.resize', method, ['bilinear', 'area']);
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    throw new DataError(formatExpected(fn, 'options.channels', '1 or 3', String(options.channels)));
  }
  const target =
    options.size === undefined ? null : typeof options.size === 'number' ? [options.size, options.size] : options.size;
  if (target) {
    assertPositiveInt(fn, 'options.size[0] (height)', target[0]);
    assertPositiveInt(fn, 'options.size[1] (width)', target[1]);
  }
  const { files, classNames } = listImages(fn, options.dir);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const headers = files.map((file) => checkSize(fn, file.path, readHeader(fn, file.path), maxBytes));
  const channels = options.channels ?? (headers.every((header) => !header.color) ? 1 : 3);
  const first = headers[0] as PngHeader;
  const [height, width] = target ?? [first.height, first.width];
  const datasetBytes = files.length * height * width * channels;
  if (datasetBytes > maxBytes) {
    throw new DataError(
      formatExpected(
        fn,
        `folder '${options.dir}'`,
        `images within ${megabytes(maxBytes)} (the memory allowed)`,
        `${files.length.toLocaleString('en')} images of ${height}×${width}×${channels} (${megabytes(datasetBytes)})`,
      ),
    );
  }
  if (!target) {
    const odd = headers.findIndex((header) => header.height !== height || header.width !== width);
    if (odd >= 0) {
      const other = headers[odd] as PngHeader;
      throw new DataError(
        formatExpected(
          fn,
          'every image',
          `${height}×${width} (the size of '${files[0]?.path}'; pass options.size to resize)`,
          `${other.height}×${other.width} in '${files[odd]?.path}'`,
        ),
      );
    }
  }
  const pixels = height * width * channels;
  const images = new Uint8Array(files.length * pixels);
  files.forEach((file, index) => {
    const decoded = isJpeg(file.path) ? decodeJpeg(fn, file.path) : decodePng(fn, file.path);
    const converted = fromRgba(decoded.data, decoded.height * decoded.width, channels);
    const sized =
      decoded.height === height && decoded.width === width
        ? converted
        : resizeImage(converted, [decoded.height, decoded.width, channels], [height, width], method);
    images.set(sized, index * pixels);
  });
  const folderName =
    options.dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || 'images';
  return createDataset({
    name: options.name ?? folderName,
    imageShape: [height, width, channels],
    images,
    labels: classNames ? Int32Array.from(files, (file) => file.label) : null,
    ...(classNames ? { numClasses: classNames.length, classNames } : {}),
  });
}

// helpers

interface PngHeader {
  width: number;
  height: number;
  color: boolean;
  /** The IHDR's bit depth, colour type and interlace method. */
  depth: number;
  colorType: number;
  interlaced: boolean;
}

/** The most pixels an image may have (8192 × 8192): its RGBA while decoded takes 256 MB. */
const MAX_PIXELS = 2 ** 26;
/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isImage(name: string): boolean {
  return /\.(png|jpe?g)$/i.test(name);
}

function isJpeg(name: string): boolean {
  return /\.jpe?g$/i.test(name);
}

function listImages(
  fn: string,
  dir: string,
): { files: { path: string; label: number }[]; classNames: string[] | null } {
  let entries: import('node:fs').Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataError(formatExpected(fn, `folder '${dir}'`, 'to exist and be readable', code));
  }
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const topFiles = entries.filter((entry) => entry.isFile() && isImage(entry.name)).sort(byName);
  const classes = entries
    .filter((entry) => entry.isDirectory())
    .sort(byName)
    .map((entry) => ({
      name: entry.name,
      files: fs.readdirSync(path.join(dir, entry.name)).filter(isImage).sort(),
    }))
    .filter((entry) => entry.files.length > 0);
  if (topFiles.length > 0 && classes.length > 0) {
    throw new DataError(
      formatExpected(
        fn,
        `folder '${dir}'`,
        'images or class sub-folders of images, not both',
        `${topFiles.length} images beside ${classes.length} sub-folders`,
      ),
    );
  }
  if (classes.length > 0) {
    return {
      files: classes.flatMap((entry, label) =>
        entry.files.map((name) => ({ path: path.join(dir, entry.name, name), label })),
      ),
      classNames: classes.map((entry) => entry.name),
    };
  }
  if (topFiles.length === 0) {
    throw new DataError(
      formatExpected(fn, `folder '${dir}'`, 'at least one .png, .jpg or .jpeg image (or sub-folders of them)', 'none'),
    );
  }
  return { files: topFiles.map((entry) => ({ path: path.join(dir, entry.name), label: -1 })), classNames: null };
}

/** Width, height, depth, colour type and interlacing from the IHDR chunk, reading only the first 29 bytes. */
function readHeader(fn: string, file: string): PngHeader {
  if (isJpeg(file)) return readJpegHeader(fn, file);
  const head = Buffer.alloc(29);
  const descriptor = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(descriptor, head, 0, 29, 0);
  } finally {
    fs.closeSync(descriptor);
  }
  if (read < 29 || PNG_SIGNATURE.some((byte, i) => head[i] !== byte)) {
    throw new DataError(
      formatExpected(fn, `file '${file}'`, 'a PNG (signature 89 50 4e 47 0d 0a 1a 0a)', 'other bytes'),
    );
  }
  const colorType = head[25] as number;
  return {
    width: head.readUInt32BE(16),
    height: head.readUInt32BE(20),
    color: (colorType & 2) !== 0,
    depth: head[24] as number,
    colorType,
    interlaced: head[28] === 1,
  };
}

/**
 * Refuses, from its header, an image larger than 2^26 pixels or than `maxBytes` once decoded (RGBA), before anything
 * is inflated (a 1 MB PNG may declare 30000 × 30000); an interlaced one must also inflate to no more than its header
 * promises (the decoder bounds that itself only for images that are not interlaced).
 */
function checkSize(fn: string, file: string, header: PngHeader, maxBytes: number): PngHeader {
  const pixels = header.width * header.height;
  const decoded = pixels * 4;
  if (pixels > MAX_PIXELS || decoded > maxBytes) {
    const limit = `at most ${MAX_PIXELS.toLocaleString('en')} pixels (8192 × 8192)${Number.isFinite(maxBytes) ? ` and ${megabytes(maxBytes)} decoded (the memory allowed)` : ''}`;
    throw new DataError(
      formatExpected(
        fn,
        `file '${file}'`,
        `an image of ${limit}`,
        `${header.width} × ${header.height} (${megabytes(decoded)} decoded)`,
      ),
    );
  }
  if (header.interlaced) checkInflatedSize(fn, file, header);
  return header;
}

/** An interlaced PNG's image data must inflate to exactly what its seven passes of its size take. */
function checkInflatedSize(fn: string, file: string, header: PngHeader): void {
  const bits = (SAMPLES[header.colorType] ?? 4) * header.depth;
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const columns = Math.ceil(Math.max(0, header.width - x0) / dx);
    const rows = Math.ceil(Math.max(0, header.height - y0) / dy);
    if (columns > 0 && rows > 0) expected += rows * (1 + Math.ceil((columns * bits) / 8));
  }
  try {
    zlib.inflateSync(imageData(fs.readFileSync(file)), { maxOutputLength: Math.max(1, expected) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return; // the decoder says what is wrong
    throw new DataError(
      formatExpected(
        fn,
        `file '${file}'`,
        `image data that inflates to the ${expected.toLocaleString('en')} bytes its header promises`,
        'more',
      ),
    );
  }
}

/** The IDAT chunks of a PNG, joined (the zlib stream of its image data). */
function imageData(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 8; offset + 8 <= png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') parts.push(png.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return Buffer.concat(parts);
}

function megabytes(bytes: number): string {
  return bytes < 2 ** 20
    ? `${bytes.toLocaleString('en')} bytes`
    : `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
}

/**
 * A JPEG's size and components from its frame header (SOF0…SOF15 but DHT, JPG and DAC), walking the segments from
 * the start (EXIF and other APPn segments come first); as a PNG header for the size checks (never interlaced).
 */
function readJpegHeader(fn: string, file: string): PngHeader {
  const bytes = fs.readFileSync(file);
  const bad = (what: string) =>
    new DataError(formatExpected(fn, `file '${file}'`, 'a JPEG (FF D8, then a frame header)', what));
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw bad('other bytes');
  for (let offset = 2; offset + 4 <= bytes.length; ) {
    if (bytes[offset] !== 0xff) throw bad(`no marker at byte ${offset}`);
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset++; // fill bytes
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (frame && offset + 10 <= bytes.length) {
      const components = bytes[offset + 9] as number;
      const [height, width] = [bytes.readUInt16BE(offset + 5), bytes.readUInt16BE(offset + 7)];
      return { width, height, color: components >= 3, depth: 8, colorType: components >= 3 ? 2 : 0, interlaced: false };
    }
    offset += 2 + length;
  }
  throw bad('no frame header');
}

function decodeJpeg(fn: string, file: string): { width: number; height: number; data: Uint8Array } {
  try {
    const jpeg = loadJpegJs().decode(fs.readFileSync(file), {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_PIXELS / 1e6,
      maxMemoryUsageInMB: (MAX_PIXELS * 4 * 2) / 2 ** 20,
    });
    return { width: jpeg.width, height: jpeg.height, data: jpeg.data };
  } catch (error) {
    throw new DataError(formatExpected(fn, `file '${file}'`, 'a valid JPEG', (error as Error).message));
  }
}

/** jpeg-js, required on first use (as pngjs). */
function loadJpegJs(): typeof JpegJs {
  return nodeModule.createRequire(import.meta.url)('jpeg-js') as typeof JpegJs;
}

function decodePng(fn: string, file: string): { width: number; height: number; data: Uint8Array } {
  try {
    const png = loadPngjs().PNG.sync.read(fs.readFileSync(file));
    return { width: png.width, height: png.height, data: png.data };
  } catch (error) {
    throw new DataError(formatExpected(fn, `file '${file}'`, 'a valid PNG', (error as Error).message));
  }
}

/** pngjs, required on first use so that a browser bundle of this package never pulls it (and its Node streams) in. */
function loadPngjs(): typeof Pngjs {
  return nodeModule.createRequire(import.meta.url)('pngjs') as typeof Pngjs;
}

/** RGBA bytes (what pngjs gives for every PNG) to 1 or 3 channels. */
function fromRgba(rgba: Uint8Array, count: number, channels: 1 | 3): Uint8Array {
  const out = new Uint8Array(count * channels);
  for (let i = 0; i < count; i++) {
    const r = rgba[4 * i] as number;
    const g = rgba[4 * i + 1] as number;
    const b = rgba[4 * i + 2] as number;
    if (channels === 1) {
      out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[3 * i] = r;
      out[3 * i + 1] = g;
      out[3 * i + 2] = b;
    }
  }
  return out;
}
