import { describe, expect, it } from 'vitest';
import type { VqVaeConfig } from './config';
import { estimateVqVaeSize } from './size';
import { createVqVae } from './vqvae';

/** What tfjs counts in the built networks. */
function builtParameters(config: VqVaeConfig): number {
  const vqvae = createVqVae(config);
  const count = [vqvae.encoder, vqvae.quantizerModel, vqvae.decoder].reduce(
    (sum, model) => sum + model.countParams(),
    0,
  );
  vqvae.dispose();
  return count;
}

const CONFIGS: [string, VqVaeConfig][] = [
  ['the Keras example', { inputShape: [28, 28, 1], dim: 16, codebookSize: 128 }],
  [
    'a small one without EMA',
    { inputShape: [8, 8, 1], dim: 4, codebookSize: 8, encoderFilters: [4, 8], quantizer: { ema: false } },
  ],
  [
    'three layers, other decoder filters, RGB, kernel 5',
    {
      inputShape: [16, 24, 3],
      dim: 6,
      codebookSize: 32,
      encoderFilters: [4, 6, 8],
      decoderFilters: [5, 7, 3],
      kernelSize: 5,
    },
  ],
  [
    'FSQ [8, 4, 4]',
    { inputShape: [28, 28, 1], dim: 3, codebookSize: 128, quantizer: { kind: 'fsq', levels: [8, 4, 4] } },
  ],
];

describe('estimateVqVaeSize', () => {
  for (const [name, config] of CONFIGS) {
    it(`counts the parameters of ${name} as tfjs does`, () => {
      expect(estimateVqVaeSize(config, 16).parameters).toBe(builtParameters(config));
    });
  }

  it('gives the Keras example 52,113 parameters and the bytes of a step of 128 images', () => {
    const size = estimateVqVaeSize({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128 }, 128);
    expect(size.parameters).toBe(52_113);
    // encoder maps 14·14·32 + 7·7·64, decoder maps 14·14·64 + 28·28·32, 7·7 codes of 2·16 + 128, 2 · 784 pixels
    expect(size.activationsPerItem).toBe(6272 + 3136 + 12_544 + 25_088 + 49 * 160 + 1568);
    expect(size.stepBytes).toBe(4 * (4 * size.parameters + 3 * 128 * size.activationsPerItem));
  });

  it('refuses an invalid config or batch size in its own name', () => {
    expect(() => estimateVqVaeSize({ inputShape: [30, 28, 1], dim: 4, codebookSize: 8 }, 8)).toThrow(
      /^estimateVqVaeSize: expected config\.inputShape height divisible by 4/,
    );
    expect(() => estimateVqVaeSize({ inputShape: [28, 28, 1], dim: 4, codebookSize: 8 }, 0)).toThrow(
      /^estimateVqVaeSize: expected batchSize a positive integer, got 0\.$/,
    );
  });
});
