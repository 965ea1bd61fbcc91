import { describe, expect, it } from 'vitest';
import { resizeImage } from './resize';

describe('resizeImage', () => {
  it('bilinear with half-pixel centres: [0, 100] to 4 wide is [0, 25, 75, 100]', () => {
    expect(Array.from(resizeImage(new Uint8Array([0, 100]), [1, 2, 1], [1, 4], 'bilinear'))).toEqual([0, 25, 75, 100]);
    // 2×2 → 4×4: the centre-ish pixel (1,1) is 0.75·0.75·a + 0.75·0.25·b + 0.25·0.75·c + 0.25·0.25·d
    const out = resizeImage(new Uint8Array([0, 80, 160, 240]), [2, 2, 1], [4, 4], 'bilinear');
    expect(out[5]).toBe(Math.round(0.5625 * 0 + 0.1875 * 80 + 0.1875 * 160 + 0.0625 * 240));
    expect(out[0]).toBe(0);
    expect(out[15]).toBe(240);
  });

  it('area: 4×4 to 2×2 averages each 2×2 block, 3 to 2 weights the shared middle pixel by half', () => {
    const image = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    // blocks: (0,10,40,50) (20,30,60,70) (80,90,120,130) (100,110,140,150)
    expect(Array.from(resizeImage(image, [4, 4, 1], [2, 2], 'area'))).toEqual([25, 45, 105, 125]);
    // [30, 90, 150] → [(30 + 0.5·90) / 1.5, (0.5·90 + 150) / 1.5] = [50, 130]
    expect(Array.from(resizeImage(new Uint8Array([30, 90, 150]), [1, 3, 1], [1, 2], 'area'))).toEqual([50, 130]);
  });

  it('keeps channels apart and returns a copy when the size is unchanged', () => {
    const rgb = new Uint8Array([255, 0, 10, 255, 0, 30]); // two pixels, 3 channels
    expect(Array.from(resizeImage(rgb, [1, 2, 3], [1, 1], 'area'))).toEqual([255, 0, 20]);
    const same = resizeImage(rgb, [1, 2, 3], [1, 2]);
    expect(Array.from(same)).toEqual(Array.from(rgb));
    expect(same).not.toBe(rgb);
  });

  it('rejects an unknown method and a zero size', () => {
    expect(() => resizeImage(new Uint8Array(4), [2, 2, 1], [1, 1], 'cubic' as 'area')).toThrow(
      /^resizeImage: expected method one of bilinear \| area, got 'cubic'\.$/,
    );
    expect(() => resizeImage(new Uint8Array(4), [2, 2, 1], [0, 1])).toThrow(
      /^resizeImage: expected to\[0\] \(height\) a positive integer, got 0\.$/,
    );
  });
});
