import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { parseTestSet, testImages } from './test-set';

/** A file as export-test-images.mjs writes it. */
function file(n: number, h: number, w: number, c: number, extra = 0): ArrayBuffer {
  const bytes = new Uint8Array(24 + n * h * w * c + n + extra);
  bytes.set([86, 74, 84, 83]); // 'VJTS'
  const view = new DataView(bytes.buffer);
  [1, n, h, w, c].forEach((value, i) => {
    view.setUint32(4 + 4 * i, value, true);
  });
  for (let i = 0; i < n * h * w * c; i++) bytes[24 + i] = (i * 37) % 256;
  for (let i = 0; i < n; i++) bytes[24 + n * h * w * c + i] = i % 10;
  return bytes.buffer;
}

describe('parseTestSet / testImages', () => {
  it('reads images and labels, and scales the chosen images to [0, 1]', async () => {
    const set = parseTestSet(file(3, 2, 2, 1));
    expect(set.size).toBe(3);
    expect(set.imageShape).toEqual([2, 2, 1]);
    expect(Array.from(set.labels)).toEqual([0, 1, 2]);
    const images = testImages(set, [2, 0]);
    expect(images.shape).toEqual([2, 2, 2, 1]);
    // Image 2 holds bytes (i·37) mod 256 for i = 8…11: 40, 77, 114, 151.
    expect(Array.from(await images.data()).slice(0, 4)).toEqual([40, 77, 114, 151].map((v) => Math.fround(v / 255)));
    images.dispose();
    await expectNoLeak(() => testImages(set, [1]));
  });

  it('rejects another magic, a wrong length and a bad index', () => {
    expect(() => parseTestSet(new TextEncoder().encode('{"format": 1}').buffer as ArrayBuffer, 'x.bin')).toThrow(
      /^parseTestSet: expected x\.bin a test-image file starting with 'VJTS', got "\{\\"fo" \(13 bytes\)\.$/,
    );
    expect(() => parseTestSet(file(3, 2, 2, 1, 5), 'x.bin')).toThrow(
      /^parseTestSet: expected x\.bin 39 bytes \(3 images 2×2×1 \+ labels\), got 44 bytes\.$/,
    );
    const set = parseTestSet(file(3, 2, 2, 1));
    expect(() => testImages(set, [3])).toThrow(/^testImages: expected index an integer in \[0, 3\), got 3\.$/);
  });
});
