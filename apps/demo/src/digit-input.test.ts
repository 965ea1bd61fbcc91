import { describe, expect, it } from 'vitest';
import { centreByMass, inkBox, scaledInkSize } from './digit-input';

describe('digit-input', () => {
  it('finds the ink box, or null on an empty pad', () => {
    const greys = new Float32Array(10 * 8);
    expect(inkBox(greys, 10, 8)).toBeNull();
    greys[2 * 10 + 3] = 255; // (x 3, y 2)
    greys[6 * 10 + 5] = 10; // (x 5, y 6)
    expect(inkBox(greys, 10, 8)).toEqual({ left: 3, top: 2, width: 3, height: 5 });
  });

  it('scales the longer side to 20, the other in proportion, never below 1 pixel', () => {
    expect(scaledInkSize({ width: 40, height: 200 })).toEqual({ width: 4, height: 20 });
    expect(scaledInkSize({ width: 100, height: 50 })).toEqual({ width: 20, height: 10 });
    expect(scaledInkSize({ width: 1, height: 300 })).toEqual({ width: 1, height: 20 });
  });

  it('centres the ink by its mass in 28×28, kept inside the image', () => {
    // a 2×20 bar, heavier on its right column: its centre of mass is at x 1.25 (of 2), y 10
    const bar = new Float32Array(2 * 20);
    for (let y = 0; y < 20; y++) [bar[2 * y], bar[2 * y + 1]] = [0.25, 0.75];
    const digit = centreByMass(bar, 2, 20);
    expect(digit).toHaveLength(28 * 28);
    // left = round(14 − 1.25) = 13, top = round(14 − 10) = 4
    expect(digit[4 * 28 + 13]).toBe(0.25);
    expect(digit[4 * 28 + 14]).toBe(0.75);
    expect(digit[23 * 28 + 14]).toBe(0.75);
    expect(digit[3 * 28 + 14]).toBe(0);
    expect(digit[24 * 28 + 14]).toBe(0);
    expect(digit.reduce((sum, value) => sum + value, 0)).toBeCloseTo(20, 5);
  });
});
