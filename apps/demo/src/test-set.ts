import * as tf from '@tensorflow/tfjs-core';
import { DataError, formatExpected } from '@vaejs/core';

/**
 * The test images the views pick from, as written by `scripts/export-test-images.mjs`: magic `VJTS`, uint32 LE
 * version 1, n, height, width, channels, then n·h·w·c uint8 pixels (NHWC, 0…255), then n uint8 labels.
 */
export interface TestSet {
  readonly size: number;
  /** `[height, width, channels]` */
  readonly imageShape: readonly [number, number, number];
  /** uint8 `[size·h·w·c]` */
  readonly images: Uint8Array;
  /** uint8 `[size]` */
  readonly labels: Uint8Array;
}

const MAGIC = 'VJTS';
const HEADER_BYTES = 24;

/**
 * Parses a test-image file.
 * @throws DataError for another magic, another version, or a file shorter or longer than its header says.
 * @example parseTestSet(await (await fetch('models/test-images.bin')).arrayBuffer()).size // 400
 */
export function parseTestSet(buffer: ArrayBuffer, source = 'test images'): TestSet {
  const fn = 'parseTestSet';
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER_BYTES || magic !== MAGIC) {
    throw new DataError(
      formatExpected(
        fn,
        source,
        `a test-image file starting with '${MAGIC}'`,
        `${JSON.stringify(magic)} (${bytes.length} bytes)`,
      ),
    );
  }
  const view = new DataView(buffer);
  const [version, size, height, width, channels] = [4, 8, 12, 16, 20].map((offset) => view.getUint32(offset, true)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (version !== 1) throw new DataError(formatExpected(fn, `${source} version`, '1', String(version)));
  const pixels = size * height * width * channels;
  const expected = HEADER_BYTES + pixels + size;
  if (bytes.length !== expected || size === 0 || pixels === 0) {
    throw new DataError(
      formatExpected(
        fn,
        source,
        `${expected} bytes (${size} images ${height}×${width}×${channels} + labels)`,
        `${bytes.length} bytes`,
      ),
    );
  }
  return Object.freeze({
    size,
    imageShape: [height, width, channels] as const,
    images: bytes.subarray(HEADER_BYTES, HEADER_BYTES + pixels),
    labels: bytes.subarray(HEADER_BYTES + pixels),
  });
}

/**
 * Test images as a float tensor in [0, 1].
 * @returns float32 `[indices.length, h, w, c]` (caller disposes)
 */
export function testImages(set: TestSet, indices: readonly number[]): tf.Tensor4D {
  const [height, width, channels] = set.imageShape;
  const pixels = height * width * channels;
  const values = new Float32Array(indices.length * pixels);
  indices.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= set.size) {
      throw new DataError(formatExpected('testImages', 'index', `an integer in [0, ${set.size})`, String(index)));
    }
    const source = set.images.subarray(index * pixels, (index + 1) * pixels);
    for (let p = 0; p < pixels; p++) values[i * pixels + p] = (source[p] as number) / 255;
  });
  return tf.tensor4d(values, [indices.length, height, width, channels]);
}
