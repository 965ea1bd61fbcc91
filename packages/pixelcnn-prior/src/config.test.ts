import { ConfigError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIXELCNN_CONFIG, resolvePixelCnnConfig } from './config';

describe('resolvePixelCnnConfig', () => {
  it('merges the defaults (undefined fields too), keeps overrides, and freezes the result', () => {
    const config = resolvePixelCnnConfig({ numCategories: 128, height: 7, width: 7, layers: 8, channels: undefined });
    expect(config).toEqual({ ...DEFAULT_PIXELCNN_CONFIG, numCategories: 128, height: 7, width: 7, layers: 8 });
    expect(config.channels).toBe(64);
    expect(config.kernelSize).toBe(3);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PIXELCNN_CONFIG)).toBe(true);
  });

  it('names the first bad field', () => {
    const base = { numCategories: 8, height: 7, width: 7 };
    expect(() => resolvePixelCnnConfig(null as never)).toThrow(ConfigError);
    expect(() => resolvePixelCnnConfig(null as never)).toThrow(
      /^createPixelCnn: expected config an object, got null\.$/,
    );
    expect(() => resolvePixelCnnConfig({ ...base, numClasses: -1 })).toThrow(
      /^createPixelCnn: expected config\.numClasses an integer ≥ 0, got -1\.$/,
    );
    expect(() => resolvePixelCnnConfig({ ...base, channels: 2.5 })).toThrow(
      /^createPixelCnn: expected config\.channels a positive integer, got 2\.5\.$/,
    );
    expect(() => resolvePixelCnnConfig({ ...base, kernelSize: 1 })).toThrow(
      /^createPixelCnn: expected config\.kernelSize an odd integer ≥ 3, got 1\.$/,
    );
    expect(() => resolvePixelCnnConfig({ ...base, layers: 0 }, 'loadPixelCnn')).toThrow(
      /^loadPixelCnn: expected config\.layers a positive integer, got 0\.$/,
    );
    expect(() => resolvePixelCnnConfig({ ...base, chanels: 32 } as never)).toThrow(
      /^createPixelCnn: expected config keys among numCategories, height, width, architecture, channels, layers, kernelSize, embeddingDim, headChannels, numClasses, seed, got 'chanels'\.$/,
    );
  });
});
