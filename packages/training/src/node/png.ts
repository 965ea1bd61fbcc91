import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { replaceFileDurable } from './file-io';

/** An RGB raster the picture writers draw into. */
export interface Raster {
  width: number;
  height: number;
  /** RGBA bytes, row-major. */
  data: Uint8Array;
}

export function createRaster(width: number, height: number, background: [number, number, number] = [255, 255, 255]) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...background, 255], i * 4);
  return { width, height, data } satisfies Raster;
}

export function setPixel(raster: Raster, x: number, y: number, rgb: readonly [number, number, number]): void {
  const px = Math.round(x);
  const py = Math.round(y);
  if (px < 0 || py < 0 || px >= raster.width || py >= raster.height) return;
  raster.data.set(rgb, (py * raster.width + px) * 4);
}

/** Writes `raster` as the PNG file `path`, replacing it as a whole (a reader never sees half a picture). */
export function writePng(path: string, raster: Raster): void {
  mkdirSync(dirname(path), { recursive: true });
  // The synchronous packer needs only width, height and data; a `new PNG` would also set up a stream.
  const image = {
    width: raster.width,
    height: raster.height,
    data: Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength),
  };
  replaceFileDurable(path, PNG.sync.write(image as PNG));
}

/**
 * Lays images float32 [n, h, w, c] in [0, 1] (c = 1 or 3) out as a grid with `columns` columns and a 1-pixel
 * gap, each pixel scaled by `scale`. Reads the tensor back; does not dispose it.
 */
export function imageGrid(images: tf.Tensor4D, options: { columns?: number; scale?: number } = {}): Raster {
  const [n, h, w, c] = images.shape;
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / columns);
  const scale = options.scale ?? 2;
  const cell = { w: w * scale + 1, h: h * scale + 1 };
  const raster = createRaster(columns * cell.w + 1, rows * cell.h + 1, [40, 40, 40]);
  const values = images.dataSync();
  for (let i = 0; i < n; i++) {
    const left = (i % columns) * cell.w + 1;
    const top = Math.floor(i / columns) * cell.h + 1;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const base = ((i * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c;
        const pick = (k: number) => Math.round(255 * Math.min(1, Math.max(0, values[base + (c === 1 ? 0 : k)] ?? 0)));
        setPixel(raster, left + x, top + y, [pick(0), pick(1), pick(2)]);
      }
    }
  }
  return raster;
}

/** Writes images float32 [n, h, w, c] in [0, 1] as one PNG grid. */
export function writeImageGrid(path: string, images: tf.Tensor4D, options?: { columns?: number; scale?: number }) {
  writePng(path, imageGrid(images, options));
}
