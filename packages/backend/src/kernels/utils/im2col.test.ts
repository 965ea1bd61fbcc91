import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../__fixtures__/kernel-compare';
import { convGeometry } from './conv-geometry';
import { col2im, im2col, imagesPerChunk } from './im2col';

describe('im2col / col2im', () => {
  it('are adjoint (<im2col x, c> = <x, col2im c>) with strides, paddings and dilations', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const g = convGeometry([2, 5 + (trial % 4), 6, 3], [1 + (trial % 3), 2, 3, 1], {
        strides: [1 + (trial % 2), 1 + (trial % 3)],
        pad: trial % 2 ? 'same' : 'valid',
        dilations: trial % 3 ? 1 : [2, 1],
      });
      const x = Float32Array.from({ length: 2 * g.inHeight * g.inWidth * 3 }, () => random() - 0.5);
      const c = Float32Array.from(
        { length: 2 * g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * 3 },
        () => random() - 0.5,
      );
      const cols = new Float32Array(c.length);
      const back = new Float32Array(x.length);
      im2col(x, cols, g);
      col2im(c, back, g);
      const left = cols.reduce((sum, v, i) => sum + v * c[i]!, 0);
      const right = x.reduce((sum, v, i) => sum + v * back[i]!, 0);
      expect(Math.abs(left - right)).toBeLessThan(1e-4 * (1 + Math.abs(left)));
    }
  });

  it('splits a batch into chunks that keep the column matrix under budget', () => {
    const g = convGeometry([10, 8, 8, 4], [3, 3, 4, 2], { strides: 1, pad: 'same' });
    expect(imagesPerChunk(g, 8 * 8 * 9 * 4 * 3)).toBe(3);
    expect(imagesPerChunk(g, 1)).toBe(1);
    expect(imagesPerChunk(g, 1e9)).toBe(10);
  });
});
