import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { codeCounts, codePerplexity, codeUsage, createCodeUsageAccumulator } from './code-metrics';

describe('per-batch code metrics', () => {
  it('counts codes', () => {
    expect(
      Array.from(
        codeCounts(
          tf.tensor2d(
            [
              [0, 2],
              [2, 2],
            ],
            [2, 2],
            'int32',
          ),
          4,
        ).dataSync(),
      ),
    ).toEqual([1, 0, 3, 0]);
  });

  it('gives perplexity K and usage 1 for a uniform assignment', () => {
    const uniform = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 0], 'int32');
    expectClose(codePerplexity(uniform, 8).dataSync(), [8]);
    expectClose(codeUsage(uniform, 8).dataSync(), [1]);
  });

  it('gives perplexity 1 and usage 1/K for a single code', () => {
    const single = tf.fill([3, 5], 2, 'int32');
    expectClose(codePerplexity(single, 8).dataSync(), [1]);
    expectClose(codeUsage(single, 8).dataSync(), [1 / 8]);
  });

  it('matches exp(entropy) for an uneven assignment', () => {
    const indices = tf.tensor1d([0, 0, 0, 1], 'int32');
    const entropy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expectClose(codePerplexity(indices, 4).dataSync(), [Math.exp(entropy)]);
  });

  it('rejects float indices', () => {
    expect(() => codeCounts(tf.zeros([3]), 4)).toThrow(
      /^codeCounts: expected indices dtype int32, got dtype float32\.$/,
    );
  });

  it('leaks no tensors', async () => {
    const indices = tf.tensor1d([0, 1, 1], 'int32');
    await expectNoLeak(() => [codePerplexity(indices, 4), codeUsage(indices, 4), codeCounts(indices, 4)]);
  });
});

describe('createCodeUsageAccumulator', () => {
  it('accumulates a histogram over batches and resets', async () => {
    const epoch = createCodeUsageAccumulator(4);
    const before = tf.memory().numTensors;
    epoch.add(tf.tidy(() => tf.tensor1d([0, 0, 1], 'int32')));
    epoch.add(tf.tidy(() => tf.tensor2d([[1, 1]], [1, 2], 'int32')));
    expect(await epoch.histogram()).toEqual([2, 3, 0, 0]);
    expect(await epoch.usage()).toBeCloseTo(0.5, 6);
    const entropy = -(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6));
    expect(await epoch.perplexity()).toBeCloseTo(Math.exp(entropy), 5);
    epoch.reset();
    expect(await epoch.histogram()).toEqual([0, 0, 0, 0]);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2); // only the two added index tensors
    epoch.dispose();
  });

  it('rejects float indices', () => {
    const epoch = createCodeUsageAccumulator(4);
    expect(() => epoch.add(tf.zeros([2]))).toThrow(
      /^codeUsageAccumulator\.add: expected indices dtype int32, got dtype float32\.$/,
    );
    epoch.dispose();
  });
});
