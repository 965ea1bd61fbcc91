import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { TINY_CONFIG } from './__fixtures__/tiny';
import { createPixelCnn, type PixelCnn } from './pixelcnn';

/**
 * influence[p][q] is true when changing the input at position p (raster index) changes any logit at position q.
 * One forward pass on a batch of the base map plus one copy per perturbed position.
 */
function influence(prior: PixelCnn, seed: number): boolean[][] {
  const { height, width, numCategories } = prior.config;
  const size = height * width;
  const base = Array.from({ length: size }, (_, i) => (i * 7 + seed) % numCategories);
  const batch: number[] = [...base];
  for (let p = 0; p < size; p++) {
    const perturbed = [...base];
    perturbed[p] = ((base[p] as number) + 1 + (p % (numCategories - 1))) % numCategories;
    batch.push(...perturbed);
  }
  const maps = tf.tensor3d(batch, [size + 1, height, width], 'int32');
  const logits = prior.logits(maps);
  const values = logits.dataSync();
  tf.dispose([maps, logits]);
  const at = (map: number, q: number, k: number) => values[(map * size + q) * numCategories + k] as number;
  return Array.from({ length: size }, (_, p) =>
    Array.from({ length: size }, (_, q) => {
      for (let k = 0; k < numCategories; k++) if (at(p + 1, q, k) !== at(0, q, k)) return true;
      return false;
    }),
  );
}

describe('causality (the masks)', () => {
  it('gated: logits at q change exactly when an earlier position p < q changes (no blind spot)', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    await expectNoLeak(() => {
      const matrix = influence(prior, 1);
      const wrong: string[] = [];
      matrix.forEach((row, p) => {
        row.forEach((changed, q) => {
          if (changed !== q > p) wrong.push(`p=${p} q=${q} changed=${changed}`);
        });
      });
      expect(wrong).toEqual([]);
    });
    prior.dispose();
  });

  it('gated: the position directly above-right influences the current one, at every inner position', () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const { height, width } = TINY_CONFIG;
    const matrix = influence(prior, 2);
    for (let r = 1; r < height; r++) {
      for (let c = 0; c < width - 1; c++) {
        expect(matrix[(r - 1) * width + c + 1]?.[r * width + c], `(${r - 1},${c + 1}) → (${r},${c})`).toBe(true);
      }
    }
    prior.dispose();
  });

  it('gated with kernel 3 and type A first layer: the first position is independent of the whole input', () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, kernelSize: 3, layers: 2 });
    const matrix = influence(prior, 3);
    matrix.forEach((row, p) => {
      expect(row[0]).toBe(false);
      row.forEach((changed, q) => {
        if (q <= p) expect(changed, `p=${p} q=${q}`).toBe(false);
      });
    });
    prior.dispose();
  });

  it('masked: causal too, but with the blind spot two columns right of the row above', () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, architecture: 'masked', kernelSize: 3, layers: 4 });
    const { width } = TINY_CONFIG;
    const matrix = influence(prior, 1);
    matrix.forEach((row, p) => {
      row.forEach((changed, q) => {
        if (q <= p) expect(changed, `p=${p} q=${q}`).toBe(false);
      });
    });
    // (r−1, c+1) is seen, (r−1, c+2) and (r−2, c+3) never are: the blind spot of stacked masked convolutions.
    const q = 2 * width + 1;
    expect(matrix[1 * width + 2]?.[q]).toBe(true);
    expect(matrix[1 * width + 3]?.[q]).toBe(false);
    expect(matrix[0 * width + 4]?.[q]).toBe(false);
    // The gated network of the same size sees them.
    const gated = createPixelCnn({ ...TINY_CONFIG, kernelSize: 3, layers: 4 });
    const gatedMatrix = influence(gated, 1);
    expect(gatedMatrix[1 * width + 3]?.[q]).toBe(true);
    expect(gatedMatrix[0 * width + 4]?.[q]).toBe(true);
    prior.dispose();
    gated.dispose();
  });
});
