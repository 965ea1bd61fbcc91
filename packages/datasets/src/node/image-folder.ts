/**
 * A folder of PNG images as a dataset (Node only): any size, grey or colour, resized to one size or rejected.
 * Sub-folders are classes (label = index of the sub-folder name in sorted order); PNGs directly in the folder are
 * unlabelled. Alpha is dropped.
 */
// Default imports of node builtins (not named ones): browser bundlers replace builtins with empty stubs, and named
// imports from a stub fail the build, while a default import only fails if the Node-only function is called.
import fs from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import { assertOneOf, assertPositiveInt, DataError, formatExpected } from '@vaejs/core';
import type * as Pngjs from 'pngjs';
import { createDataset, type ImageDataset } from '../dataset';
import { type ResizeMethod, resizeImage } from '../resize';

/** Options of `loadImageFolder`. Only `dir` is required. */
export interface ImageFolderOptions {
  /** The folder: PNG files, or one sub-folder of PNG files per class. */
  dir: string;
  /** `[height, width]` (or one number for square) to resize every image to; without it all sizes must agree. */
  size?: number | readonly [number, number];
  /** 1 (grey) or 3 (RGB); default 1 when every image is grey, else 3. Colour to grey uses Rec. 601 luma. */
  channels?: 1 | 3;
  /** How to resize (default `'area'`, best for shrinking). */
  resize?: ResizeMethod;
  /** Dataset name (default: the folder name). */
  name?: string;
}

/**
 * @returns uint8 images `[n, h, w, c]`, int32 labels `[n]` from sub-folder names (`classNames`), or null labels
 * @throws DataError when the folder has no PNG, a file is not a valid PNG, or sizes differ and no `size` is given
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
  const headers = files.map((file) => readHeader(fn, file.path));
  const channels = options.channels ?? (headers.every((header) => !header.color) ? 1 : 3);
  const first = headers[0] as PngHeader;
  const [height, width] = target ?? [first.height, first.width];
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
    const decoded = decodePng(fn, file.path);
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
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(name: string): boolean {
  return name.toLowerCase().endsWith('.png');
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
  const topFiles = entries.filter((entry) => entry.isFile() && isPng(entry.name)).sort(byName);
  const classes = entries
    .filter((entry) => entry.isDirectory())
    .sort(byName)
    .map((entry) => ({
      name: entry.name,
      files: fs.readdirSync(path.join(dir, entry.name)).filter(isPng).sort(),
    }))
    .filter((entry) => entry.files.length > 0);
  if (topFiles.length > 0 && classes.length > 0) {
    throw new DataError(
      formatExpected(
        fn,
        `folder '${dir}'`,
        'PNG files or class sub-folders of PNG files, not both',
        `${topFiles.length} PNG files beside ${classes.length} sub-folders`,
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
      formatExpected(fn, `folder '${dir}'`, 'at least one .png file (or sub-folders of them)', 'none'),
    );
  }
  return { files: topFiles.map((entry) => ({ path: path.join(dir, entry.name), label: -1 })), classNames: null };
}

/** Width, height and colour type from the IHDR chunk, reading only the first 26 bytes. */
function readHeader(fn: string, file: string): PngHeader {
  const head = Buffer.alloc(26);
  const descriptor = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(descriptor, head, 0, 26, 0);
  } finally {
    fs.closeSync(descriptor);
  }
  if (read < 26 || PNG_SIGNATURE.some((byte, i) => head[i] !== byte)) {
    throw new DataError(
      formatExpected(fn, `file '${file}'`, 'a PNG (signature 89 50 4e 47 0d 0a 1a 0a)', 'other bytes'),
    );
  }
  const colorType = head[25] as number;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20), color: (colorType & 2) !== 0 };
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
