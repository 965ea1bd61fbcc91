import { describe, expect, it } from 'vitest';
import { augmentBatch, mulberry32, warpImage } from './augment.mjs';

/** A size × size image with 255 at (row, col), 0 elsewhere. */
function dot(size, row, col) {
  const image = new Uint8Array(size * size);
  image[row * size + col] = 255;
  return image;
}

const hot = (values) => Array.from(values.keys()).filter((index) => values[index] > 0.5);

describe('warpImage', () => {
  it('no rotation and no shift copies the image, as floats in [0, 1]', () => {
    const image = Uint8Array.from({ length: 25 }, (_, i) => i * 10);
    const out = warpImage(image, 5, {}, new Float32Array(25));
    expect(Array.from(out)).toEqual(Array.from(image, (value) => Math.fround(value / 255)));
  });

  it('a whole-pixel shift moves every pixel right and down, and what leaves the image is gone', () => {
    expect(hot(warpImage(dot(5, 1, 1), 5, { dx: 2, dy: 1 }, new Float32Array(25)))).toEqual([2 * 5 + 3]);
    expect(hot(warpImage(dot(5, 1, 4), 5, { dx: 1 }, new Float32Array(25)))).toEqual([]);
    // half a pixel: shared by two neighbours
    const half = warpImage(dot(5, 2, 2), 5, { dx: 0.5 }, new Float32Array(25));
    expect(half[12]).toBeCloseTo(0.5, 6);
    expect(half[13]).toBeCloseTo(0.5, 6);
  });

  it('rotates counter-clockwise on screen about the centre: right of centre goes to the top at 90°', () => {
    expect(hot(warpImage(dot(5, 2, 4), 5, { degrees: 90 }, new Float32Array(25)))).toEqual([0 * 5 + 2]);
    expect(hot(warpImage(dot(5, 2, 4), 5, { degrees: -90 }, new Float32Array(25)))).toEqual([4 * 5 + 2]);
    expect(hot(warpImage(dot(5, 2, 2), 5, { degrees: 33 }, new Float32Array(25)))).toEqual([12]);
  });

  it('writes at the offset it is given', () => {
    const out = new Float32Array(50).fill(-1);
    warpImage(dot(5, 0, 0), 5, {}, out, 25);
    expect(out[0]).toBe(-1);
    expect(out[25]).toBe(1);
  });
});

describe('augmentBatch', () => {
  it('keeps each image near itself, differs from the original, and repeats with the same seed', () => {
    const images = new Uint8Array(3 * 28 * 28);
    // image 1: a 6 × 6 square in the middle
    for (let row = 11; row < 17; row++) for (let col = 11; col < 17; col++) images[784 + row * 28 + col] = 255;
    const a = augmentBatch(images, 28, [1, 0], mulberry32(4));
    const b = augmentBatch(images, 28, [1, 0], mulberry32(4));
    const c = augmentBatch(images, 28, [1, 0], mulberry32(5));
    expect(a.length).toBe(2 * 784);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // the square keeps its mass (it stays inside the image) and stays within 2 pixels and a few degrees of its place
    const square = a.subarray(0, 784);
    const mass = square.reduce((sum, value) => sum + value, 0);
    expect(mass).toBeGreaterThan(34);
    expect(mass).toBeLessThan(38);
    const inked = hot(square);
    expect(inked.length).toBeGreaterThan(20);
    for (const index of inked) {
      expect(Math.abs(Math.floor(index / 28) - 13.5)).toBeLessThan(6);
      expect(Math.abs((index % 28) - 13.5)).toBeLessThan(6);
    }
    expect(Array.from(a.subarray(784))).toEqual(new Array(784).fill(0));
  });
});

describe('mulberry32', () => {
  it('gives the same numbers for the same seed, in [0, 1), spread evenly', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((sum, value) => sum + value, 0) / 1000).toBeCloseTo(0.5, 1);
  });
});
