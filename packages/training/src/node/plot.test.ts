import { describe, expect, it } from 'vitest';
import { textWidth } from './font';
import { lineChart, niceTicks } from './plot';

describe('niceTicks', () => {
  it('gives distinct round ticks even on a narrow range (a one-epoch run: 2.49 and 2.51)', () => {
    const { values, decimals } = niceTicks(2.49, 2.51);
    expect(new Set(values.map((value) => value.toFixed(decimals))).size).toBe(values.length);
    expect(values[0]).toBeLessThanOrEqual(2.49);
    expect(values.at(-1)).toBeGreaterThanOrEqual(2.51);
    expect(decimals).toBe(3);
  });

  it('steps by 1, 2 or 5 times a power of ten and covers the range', () => {
    expect(niceTicks(104.9, 127.6)).toEqual({ values: [100, 110, 120, 130], decimals: 0 });
    expect(niceTicks(0, 1)).toEqual({ values: [0, 0.5, 1], decimals: 1 });
    expect(niceTicks(0.031, 0.047)).toEqual({ values: [0.03, 0.035, 0.04, 0.045, 0.05], decimals: 3 });
    const flat = niceTicks(5, 5);
    expect(flat.values.length).toBeGreaterThanOrEqual(2);
    expect(flat.values[0]).toBeLessThanOrEqual(5);
  });
});

describe('lineChart', () => {
  it('draws a one-point series without throwing, at twice the nominal size', () => {
    const raster = lineChart([{ name: 'train loss', values: [2.5] }], 'loss per epoch');
    expect([raster.width, raster.height]).toEqual([960, 600]);
    // something besides the white background was drawn
    expect(raster.data.some((value, i) => i % 4 !== 3 && value < 200)).toBe(true);
  });

  it('writes the y unit at the top left, in the font at scale 2 (its pixels come in 2×2 squares)', () => {
    const plain = lineChart([{ name: 'train loss', values: [3, 2] }], 'loss per epoch');
    const withUnit = lineChart([{ name: 'train loss', values: [3, 2] }], 'loss per epoch', {
      yLabel: 'loss (nats per image)',
    });
    // the unit's line: from 38 px down (below the title), from 12 px in, as wide as its 21 characters (12 px each, less the last gap)
    const differing: [number, number][] = [];
    for (let y = 0; y < 60; y++) {
      for (let x = 0; x < 400; x++) {
        const at = (y * 960 + x) * 4;
        if (plain.data[at] !== withUnit.data[at]) differing.push([x, y]);
      }
    }
    // 'l' begins one font pixel in: two pixels at scale 2
    expect(Math.min(...differing.map(([x]) => x))).toBe(14);
    expect(Math.max(...differing.map(([x]) => x))).toBeLessThan(12 + textWidth('loss (nats per image)', 2));
    expect(Math.min(...differing.map(([, y]) => y))).toBe(38);
    // p and g reach 2 font rows below the baseline: 9 rows of 2 pixels
    expect(Math.max(...differing.map(([, y]) => y))).toBe(38 + 18 - 1);
    for (const [x, y] of differing) {
      const twin = (((y - 38) ^ 1) + 38) * 960 + (((x - 12) ^ 1) + 12);
      expect(withUnit.data[twin * 4], `${x},${y}`).toBe(withUnit.data[(y * 960 + x) * 4]);
    }
  });
});
