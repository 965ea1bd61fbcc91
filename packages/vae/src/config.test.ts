import { ConfigError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VAE_CONFIG, resolveVaeConfig, type VaeConfig } from './config';

const base = { inputShape: [28, 28, 1], latentDim: 20 } as const;

describe('resolveVaeConfig', () => {
  it('fills the defaults and freezes the result', () => {
    const config = resolveVaeConfig(base);
    expect(config).toEqual({
      ...base,
      kind: 'vae',
      arch: 'conv',
      likelihood: 'bernoulli',
      learnedVariance: 'scalar',
      beta: 1,
      numClasses: 0,
      hidden: [400],
      filters: [32, 64],
      kernelSize: 4,
      denseUnits: 256,
      activation: 'relu',
      init: 'glorot',
      seed: 0,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.inputShape)).toBe(true);
    expect(Object.isFrozen(DEFAULT_VAE_CONFIG)).toBe(true);
  });

  it('defaults beta to 4 for beta-vae, takes a number for hidden, keeps numClasses for cvae', () => {
    expect(resolveVaeConfig({ ...base, kind: 'beta-vae' }).beta).toBe(4);
    expect(resolveVaeConfig({ ...base, kind: 'beta-vae', beta: 0.5 }).beta).toBe(0.5);
    expect(resolveVaeConfig({ ...base, hidden: 128 }).hidden).toEqual([128]);
    expect(resolveVaeConfig({ ...base, kind: 'cvae', numClasses: 10 }).numClasses).toBe(10);
  });

  const bad: [string, unknown, RegExp][] = [
    ['latentDim 0', { ...base, latentDim: 0 }, /^createVae: expected config\.latentDim a positive integer, got 0\.$/],
    [
      'inputShape of rank 2',
      { ...base, inputShape: [28, 28] },
      /^createVae: expected config\.inputShape \[height, width, channels\] of positive integers, got \[28,28\]\.$/,
    ],
    [
      'unknown kind',
      { ...base, kind: 'gan' },
      /^createVae: expected config\.kind one of ae \| dae \| vae \| beta-vae \| cvae, got 'gan'\.$/,
    ],
    [
      'unknown arch',
      { ...base, arch: 'resnet' },
      /^createVae: expected config\.arch one of mlp \| conv, got 'resnet'\.$/,
    ],
    [
      'unknown likelihood',
      { ...base, likelihood: 'poisson' },
      /^createVae: expected config\.likelihood one of bernoulli \| gaussian \| gaussian-learned, got 'poisson'\.$/,
    ],
    ['negative beta', { ...base, beta: -1 }, /^createVae: expected config\.beta a number in \[0, .*\], got -1\.$/],
    [
      'cvae without numClasses',
      { ...base, kind: 'cvae' },
      /^createVae: expected config\.numClasses an integer ≥ 2, got undefined\.$/,
    ],
    [
      'numClasses on a vae',
      { ...base, numClasses: 10 },
      /^createVae: expected config\.numClasses 0 unless config\.kind is 'cvae', got 10\.$/,
    ],
    [
      'hidden with a zero',
      { ...base, hidden: [400, 0] },
      /^createVae: expected config\.hidden an array of positive integers, got \[400,0\]\.$/,
    ],
    [
      'no conv layers',
      { ...base, filters: [] },
      /^createVae: expected config\.filters at least one layer, got an array of 0\.$/,
    ],
    [
      'negative denseUnits',
      { ...base, denseUnits: -1 },
      /^createVae: expected config\.denseUnits an integer ≥ 0, got -1\.$/,
    ],
    [
      'a misspelt key',
      { ...base, latentDims: 3 },
      /^createVae: expected config keys among inputShape, latentDim, .*, got 'latentDims'\.$/,
    ],
    ['not an object', null, /^createVae: expected config an object, got null\.$/],
  ];
  for (const [name, config, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => resolveVaeConfig(config as VaeConfig)).toThrow(message);
      expect(() => resolveVaeConfig(config as VaeConfig)).toThrow(ConfigError);
    });
  }
});
