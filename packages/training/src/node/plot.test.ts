import { describe, expect, it } from 'vitest';
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
  it('draws a one-point series without throwing, at the chart size', () => {
    const raster = lineChart([{ name: 'train loss', values: [2.5] }], 'loss per epoch');
    expect([raster.width, raster.height]).toEqual([480, 300]);
    // something besides the white background was drawn
    expect(raster.data.some((value, i) => i % 4 !== 3 && value < 200)).toBe(true);
  });
});
