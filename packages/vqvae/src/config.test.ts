import { describe, expect, it } from 'vitest';
import { quantizerSizes, resolveVqVaeConfig } from './config';

describe('quantizerSizes', () => {
  it("gives FSQ's sizes from its levels and LFQ's D from its codebook", () => {
    expect(quantizerSizes('fsq', { dim: 16, codebookSize: 128, levels: [8, 4, 4] })).toEqual({
      dim: 3,
      codebookSize: 128,
    });
    expect(quantizerSizes('lfq', { dim: 16, codebookSize: 256 })).toEqual({ dim: 8, codebookSize: 256 });
    expect(quantizerSizes('vq', { dim: 16, codebookSize: 128, levels: [8] })).toEqual({ dim: 16, codebookSize: 128 });
    expect(quantizerSizes('rvq', { dim: 4, codebookSize: 32 })).toEqual({ dim: 4, codebookSize: 32 });
  });

  it('gives the sizes resolveVqVaeConfig takes for each kind', () => {
    const inputShape = [8, 8, 1] as const;
    const fsq = quantizerSizes('fsq', { dim: 1, codebookSize: 2, levels: [4, 3, 2] });
    expect(() =>
      resolveVqVaeConfig({ inputShape, ...fsq, quantizer: { kind: 'fsq', levels: [4, 3, 2] } }),
    ).not.toThrow();
    const lfq = quantizerSizes('lfq', { dim: 1, codebookSize: 64 });
    expect(() => resolveVqVaeConfig({ inputShape, ...lfq, quantizer: { kind: 'lfq' } })).not.toThrow();
  });
});
