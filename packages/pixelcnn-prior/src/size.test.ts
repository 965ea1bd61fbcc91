import { describe, expect, it } from 'vitest';
import type { PixelCnnConfig } from './config';
import { createPixelCnn } from './pixelcnn';
import { estimatePixelCnnSize } from './size';

/** What tfjs counts in the built network. */
function builtParameters(config: PixelCnnConfig): number {
  const prior = createPixelCnn(config);
  const count = prior.network.countParams();
  prior.dispose();
  return count;
}

const CONFIGS: [string, PixelCnnConfig][] = [
  ['the default gated prior over 7×7 maps of 128 codes', { numCategories: 128, height: 7, width: 7 }],
  [
    'a conditional gated prior, kernel 5',
    { numCategories: 8, height: 4, width: 5, channels: 6, layers: 3, kernelSize: 5, numClasses: 4, embeddingDim: 5 },
  ],
  [
    'a conditional masked prior',
    {
      numCategories: 8,
      height: 4,
      width: 4,
      architecture: 'masked',
      channels: 6,
      layers: 3,
      numClasses: 3,
      headChannels: 7,
    },
  ],
  ['a one-block gated prior', { numCategories: 4, height: 7, width: 7, channels: 4, layers: 1 }],
];

describe('estimatePixelCnnSize', () => {
  for (const [name, config] of CONFIGS) {
    it(`counts the parameters of ${name} as tfjs does`, () => {
      expect(estimatePixelCnnSize(config, 16).parameters).toBe(builtParameters(config));
    });
  }

  it('gives the default prior 551,808 parameters, from its 64 channels, and the bytes of a step of 128 maps', () => {
    const size = estimatePixelCnnSize({ numCategories: 128, height: 7, width: 7 }, 128);
    expect(size.parameters).toBe(551_808);
    // per position: the 64-wide embedding, 10 maps of 64 channels in each of 6 blocks, the 128-wide head, 128 logits
    expect(size.activationsPerItem).toBe(49 * (64 + 10 * 6 * 64 + 128 + 128));
    expect(
      estimatePixelCnnSize({ numCategories: 128, height: 7, width: 7, channels: 32 }, 128).parameters,
    ).toBeLessThan(size.parameters / 2);
  });

  it('refuses an invalid config or batch size in its own name', () => {
    expect(() => estimatePixelCnnSize({ numCategories: 1, height: 7, width: 7 }, 8)).toThrow(
      /^estimatePixelCnnSize: expected config\.numCategories an integer ≥ 2, got 1\.$/,
    );
    expect(() => estimatePixelCnnSize({ numCategories: 8, height: 7, width: 7 }, -1)).toThrow(
      /^estimatePixelCnnSize: expected batchSize a positive integer, got -1\.$/,
    );
  });
});
