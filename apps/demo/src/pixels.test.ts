import { describe, expect, it } from 'vitest';
import { codeInk, greyLevels, maxAbsDifference, tileImages, toByte } from './pixels';

describe('pixels', () => {
  it('rounds and clamps values to bytes', () => {
    expect([-0.5, 0, 0.5, 1 / 255, 0.999, 1.7].map(toByte)).toEqual([0, 0, 128, 1, 255, 255]);
  });

  it('tiles grey images in columns with black gaps', () => {
    // Three 1×2 images, two columns, gap 1: a 2-row, 5-column picture.
    const picture = tileImages([0, 1, 0.5, 0.5, 1, 0], [3, 1, 2, 1], 2, 1);
    expect([picture.width, picture.height]).toEqual([5, 3]);
    expect(greyLevels(picture)).toEqual([0, 255, 0, 128, 128, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0]);
    expect(Array.from(picture.data.slice(4, 8))).toEqual([255, 255, 255, 255]);
  });

  it('compares arrays', () => {
    expect(maxAbsDifference([1, 5, 3], [2, 2, 3])).toBe(3);
    expect(maxAbsDifference([1], [1, 2])).toBe(Number.POSITIVE_INFINITY);
  });

  it('writes code numbers in black on light code colours and in white on dark ones', () => {
    // of 360 codes, code k has hue k: 60 is an olive yellow, 240 a deep blue, 121 a light green (odd: lighter)
    expect([60, 240, 121].map((code) => codeInk(code, 360))).toEqual(['#000', '#fff', '#000']);
  });
});
