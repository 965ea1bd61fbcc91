import { describe, expect, it } from 'vitest';
import type { VaeConfig } from './config';
import { estimateVaeSize } from './size';
import { createVae } from './vae';

/** What tfjs counts in the built networks. */
function builtParameters(config: VaeConfig): number {
  const vae = createVae(config);
  const count = vae.encoder.countParams() + vae.decoder.countParams();
  vae.dispose();
  return count;
}

const CONFIGS: [string, VaeConfig][] = [
  ['the PyTorch examples/vae MLP', { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp' }],
  ['a two-layer MLP AE', { inputShape: [8, 8, 1], latentDim: 3, arch: 'mlp', kind: 'ae', hidden: [16, 8] }],
  ['an MLP conditional VAE', { inputShape: [6, 6, 1], latentDim: 2, arch: 'mlp', kind: 'cvae', numClasses: 4 }],
  ['the default conv VAE', { inputShape: [28, 28, 1], latentDim: 16 }],
  [
    'a conv cVAE of odd size without the dense layer, learned per-pixel variance',
    {
      inputShape: [12, 10, 3],
      latentDim: 4,
      kind: 'cvae',
      numClasses: 3,
      filters: [4, 8, 6],
      kernelSize: 3,
      denseUnits: 0,
      likelihood: 'gaussian-learned',
      learnedVariance: 'per-pixel',
    },
  ],
  [
    'a conv DAE with a learned scalar variance',
    { inputShape: [8, 8, 1], latentDim: 2, kind: 'dae', filters: [4], likelihood: 'gaussian-learned' },
  ],
];

describe('estimateVaeSize', () => {
  for (const [name, config] of CONFIGS) {
    it(`counts the parameters of ${name} as tfjs does`, () => {
      expect(estimateVaeSize(config, 16).parameters).toBe(builtParameters(config));
    });
  }

  it('gives the PyTorch MLP 652,824 parameters and the bytes of a step of 128 images', () => {
    const size = estimateVaeSize({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp' }, 128);
    expect(size.parameters).toBe(652_824);
    // activations per image: 2 · 400 hidden + 3 · 20 latent + 2 · 784 pixels
    expect(size.activationsPerItem).toBe(2428);
    expect(size.stepBytes).toBe(4 * (4 * 652_824 + 3 * 128 * 2428));
  });

  it('refuses an invalid config or batch size in its own name', () => {
    expect(() => estimateVaeSize({ inputShape: [28, 28, 1], latentDim: 0 }, 8)).toThrow(
      /^estimateVaeSize: expected config\.latentDim a positive integer, got 0\.$/,
    );
    expect(() => estimateVaeSize({ inputShape: [28, 28, 1], latentDim: 2 }, 1.5)).toThrow(
      /^estimateVaeSize: expected batchSize a positive integer, got 1\.5\.$/,
    );
  });
});
