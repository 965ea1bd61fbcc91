import { createDataset } from '@vaejs/datasets';
import { describe, expect, it } from 'vitest';
import { datasetPixelVariance, vqVaeConfig } from '../src/cli/models';

const dataset = (bytes: number[]) =>
  createDataset({ name: 'bytes', imageShape: [1, bytes.length / 2, 1], images: Uint8Array.from(bytes) });
const flags = { codeDim: 4, codebookSize: 8, ema: true, restartThreshold: 1, seed: 0 };

describe('the VQ-VAE config of the train flags', () => {
  it('datasetPixelVariance is the population variance of the pixels in [0, 1]', () => {
    expect(datasetPixelVariance(dataset([0, 255, 0, 255]))).toBeCloseTo(0.25, 12);
    // pixels 0, 51, 102, 153 → 0, 0.2, 0.4, 0.6: mean 0.3, variance (0.09 + 0.01 + 0.01 + 0.09) / 4
    expect(datasetPixelVariance(dataset([0, 51, 102, 153]))).toBeCloseTo(0.05, 12);
    expect(datasetPixelVariance(dataset([7, 7, 7, 7]))).toBe(0);
  });

  it('divides the reconstruction MSE by the training variance unless --data-variance says otherwise', () => {
    expect(vqVaeConfig(flags, dataset([0, 51, 102, 153])).dataVariance).toBeCloseTo(0.05, 12);
    expect(vqVaeConfig({ ...flags, dataVariance: 0.5 }, dataset([0, 51, 102, 153])).dataVariance).toBe(0.5);
    expect(vqVaeConfig(flags, dataset([9, 9, 9, 9])).dataVariance).toBe(1);
  });
});
