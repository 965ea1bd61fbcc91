import { ConfigError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './load-dataset';

describe('loadDataset', () => {
  it('dispatches on the source name', () => {
    const test = loadDataset({ source: 'mnist', split: 'test' });
    expect([test.name, test.size, test.labels![0]]).toEqual(['mnist-test', 10000, 7]);
  });

  it('rejects an unknown source and a folder source without dir', () => {
    expect(() => loadDataset({ source: 'cifar' as 'mnist' })).toThrow(
      /^loadDataset: expected options\.source one of mnist \| fashion-mnist \| idx \| images, got 'cifar'\.$/,
    );
    expect(() => loadDataset({ source: 'images' })).toThrow(ConfigError);
    expect(() => loadDataset({ source: 'idx' })).toThrow(
      /^loadDataset: expected options\.dir a folder path for source 'idx', got undefined\.$/,
    );
  });
});
