import { describe, expect, it } from 'vitest';
import { cliCommand, cliRunInfo } from './recipes';
import { readTrainSettings, switchModel, TRAIN_DEFAULTS, trainQuery } from './train-settings';

describe('the training view settings in the URL', () => {
  it('reads the contract names, with each model’s defaults for the rest', () => {
    const settings = readTrainSettings(
      '?view=train&model=vae-mlp&dataset=mnist&limit=4096&epochs=1&batch=128&seed=1&autostart=1',
    );
    expect(settings).toEqual({
      ...TRAIN_DEFAULTS['vae-mlp'],
      limit: 4096,
      epochs: 1,
      batch: 128,
      seed: 1,
      autostart: true,
    });
    expect(readTrainSettings('?view=train&model=prior&conditional=1&backend=webgpu&lr=0.01&beta=2')).toMatchObject({
      model: 'prior',
      conditional: true,
      backend: 'webgpu',
      lr: 0.01,
      beta: 2,
      channels: 32,
      layers: 4,
    });
    expect(readTrainSettings('').model).toBe('vae-mlp');
  });

  it('switching the model takes all its defaults (a prior’s channels and layers too), keeping data and backend', () => {
    const vqvae = readTrainSettings('?view=train&model=vqvae&dataset=fashion-mnist&testLimit=500&backend=wasm&seed=7');
    expect(vqvae).toMatchObject({ channels: 64, layers: 6 });
    expect(switchModel(vqvae, 'prior')).toEqual({
      ...TRAIN_DEFAULTS.prior,
      dataset: 'fashion-mnist',
      testLimit: 500,
      backend: 'wasm',
    });
    expect(switchModel(vqvae, 'prior')).toMatchObject({ channels: 32, layers: 4, batch: 64, lr: 0.003, seed: 1 });
  });

  it('writes a query that reads back to the same settings', () => {
    for (const search of [
      '?model=vqvae&limit=512&backend=wasm',
      '?model=prior&conditional=1&epochs=9',
      '?model=vae-conv&latent=2&beta=4',
    ]) {
      const settings = readTrainSettings(search);
      expect(readTrainSettings(`?${trainQuery(settings)}`)).toEqual(settings);
    }
    expect(trainQuery(readTrainSettings('?model=vae-mlp'), { autostart: true })).toBe(
      'view=train&model=vae-mlp&dataset=mnist&limit=0&epochs=3&batch=128&seed=1&autostart=1',
    );
  });

  it('refuses a bad value with one line naming the parameter', () => {
    expect(() => readTrainSettings('?model=gan')).toThrow(
      /^page: expected \?model= one of vae-mlp, vae-conv, vqvae, prior, got 'gan'\.$/,
    );
    expect(() => readTrainSettings('?dataset=cifar')).toThrow(
      /^page: expected \?dataset= one of mnist, fashion-mnist, got 'cifar'\.$/,
    );
    expect(() => readTrainSettings('?limit=-3')).toThrow(
      /^page: expected \?limit= an integer in \[0, 60000\], got '-3'\.$/,
    );
    expect(() => readTrainSettings('?epochs=1.5')).toThrow(
      /^page: expected \?epochs= an integer in \[1, 1000\], got '1\.5'\.$/,
    );
    expect(() => readTrainSettings('?lr=fast')).toThrow(
      /^page: expected \?lr= a number in \[1e-7, 10\], got 'fast'\.$/,
    );
    expect(() => readTrainSettings('?backend=metal')).toThrow(
      /^page: expected \?backend= one of webgpu, webgl, wasm, cpu, got 'metal'\.$/,
    );
    expect(() => readTrainSettings('?autostart=yes')).toThrow(/^page: expected \?autostart= 1 or 0, got 'yes'\.$/);
  });

  it('says the same run in the CLI’s words (the flags kept in the run config, and the command line)', () => {
    const settings = readTrainSettings('?model=vae-mlp&limit=4096&epochs=1&seed=1');
    expect(cliRunInfo(settings)).toEqual({
      command: 'train',
      flags: {
        model: 'vae',
        arch: 'mlp',
        latentDim: 20,
        beta: 1,
        likelihood: 'bernoulli',
        init: 'pytorch',
        dataset: 'mnist',
        epochs: 1,
        batchSize: 128,
        lr: 0.001,
        optimizer: 'adam',
        seed: 1,
        limit: 4096,
        testLimit: 0,
        binarize: 'none',
        klAnneal: 'constant',
      },
    });
    expect(cliCommand(settings)).toBe(
      'vaejs train --model vae --arch mlp --latent-dim 20 --beta 1 --dataset mnist --epochs 1 --batch-size 128 --lr 0.001 --seed 1 --limit 4096 --out runs/vae-mlp',
    );
    expect(cliRunInfo(readTrainSettings('?model=prior')).command).toBe('prior train');
  });
});
