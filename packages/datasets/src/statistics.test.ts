import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset';
import { datasetPixelMean, datasetPixelVariance } from './statistics';

const dataset = (bytes: number[]) =>
  createDataset({ name: 'bytes', imageShape: [1, bytes.length / 2, 1], images: Uint8Array.from(bytes) });

describe('datasetPixelVariance', () => {
  it('is the population variance of the pixels in [0, 1]', () => {
    expect(datasetPixelVariance(dataset([0, 255, 0, 255]))).toBeCloseTo(0.25, 12);
    // pixels 0, 51, 102, 153 → 0, 0.2, 0.4, 0.6: mean 0.3, variance (0.09 + 0.01 + 0.01 + 0.09) / 4
    expect(datasetPixelVariance(dataset([0, 51, 102, 153]))).toBeCloseTo(0.05, 12);
    expect(datasetPixelVariance(dataset([7, 7, 7, 7]))).toBe(0);
  });
});

describe('datasetPixelMean', () => {
  it('is the mean of the pixels scaled to [0, 1]', () => {
    expect(datasetPixelMean(dataset([0, 255, 0, 255]))).toBeCloseTo(0.5, 12);
    expect(datasetPixelMean(dataset([51, 102]))).toBeCloseTo(0.3, 12);
  });
});
