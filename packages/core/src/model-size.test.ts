import { describe, expect, it } from 'vitest';
import { largestSize, type ModelSize, modelSize } from './model-size';

describe('modelSize', () => {
  it('counts weights four times and the batch activations three times, 4 bytes each', () => {
    expect(modelSize({ parameters: 1000, activationsPerItem: 50 }, 128)).toEqual({
      parameters: 1000,
      activationsPerItem: 50,
      batchSize: 128,
      stepBytes: 92_800,
    });
    expect(modelSize({ parameters: 0, activationsPerItem: 10 }, 1).stepBytes).toBe(120);
  });

  it('takes a positive integer batch size', () => {
    expect(() => modelSize({ parameters: 10, activationsPerItem: 10 }, 0, 'estimateToySize')).toThrow(
      /^estimateToySize: expected batchSize a positive integer, got 0\.$/,
    );
  });
});

describe('largestSize', () => {
  const estimate = (settings: { hidden?: number | undefined; batch?: number | undefined }): ModelSize =>
    modelSize({ parameters: 10 * (settings.hidden ?? 100), activationsPerItem: 1 }, settings.batch ?? 8);

  it('names the size whose fallback shrinks the estimate most', () => {
    expect(largestSize({ hidden: 1e6, batch: 64 }, { hidden: undefined, batch: 8 }, estimate)).toBe('hidden');
    expect(largestSize({ hidden: 100, batch: 1e6 }, { hidden: undefined, batch: 8 }, estimate)).toBe('batch');
  });

  it('gives null when no fallback shrinks it', () => {
    expect(largestSize({ hidden: 50 }, { hidden: undefined }, estimate)).toBeNull();
    expect(largestSize({ hidden: 1e6 }, {}, estimate)).toBeNull();
  });
});
