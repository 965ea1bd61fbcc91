import { describe, expect, it } from 'vitest';
import { modelSize } from './model-size';

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
