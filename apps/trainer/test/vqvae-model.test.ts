import { createDataset } from '@vaejs/datasets';
import { describe, expect, it } from 'vitest';
import { vqVaeConfig } from '../src/cli/models';

const dataset = (bytes: number[]) =>
  createDataset({ name: 'bytes', imageShape: [1, bytes.length / 2, 1], images: Uint8Array.from(bytes) });
const flags = { codeDim: 4, codebookSize: 8, ema: true, restartThreshold: 1, seed: 0 };

describe('the VQ-VAE config of the train flags', () => {
  it('divides the reconstruction MSE by the training variance unless --data-variance says otherwise', () => {
    expect(vqVaeConfig(flags, dataset([0, 51, 102, 153])).dataVariance).toBeCloseTo(0.05, 12);
    expect(vqVaeConfig({ ...flags, dataVariance: 0.5 }, dataset([0, 51, 102, 153])).dataVariance).toBe(0.5);
    expect(vqVaeConfig(flags, dataset([9, 9, 9, 9])).dataVariance).toBe(1);
    expect(vqVaeConfig(flags, dataset([0, 51, 102, 153])).dataMean).toBeCloseTo(0.3, 12); // the training pixels' mean
  });

  it('passes --code-projection on, and leaves the default (by quantiser) to the library without it', () => {
    const bytes = dataset([0, 51, 102, 153]);
    expect(vqVaeConfig({ ...flags, codeProjection: 0 }, bytes).codeProjection).toBe(0);
    expect(vqVaeConfig({ ...flags, codeProjection: 24 }, bytes).codeProjection).toBe(24);
    expect('codeProjection' in vqVaeConfig(flags, bytes)).toBe(false);
  });
});
