import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { expectClose } from '@vaejs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureImages } from './__fixtures__/images';
import type { VaeConfig } from './config';
import { createVae, type Vae } from './vae';

const created: Vae[] = [];
function make(config: VaeConfig): Vae {
  const vae = createVae(config);
  created.push(vae);
  return vae;
}
afterAll(() => {
  for (const vae of created) vae.dispose();
});

const softplus = (v: number) => Math.log1p(Math.exp(v));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const scalars = (parts: Record<string, tf.Scalar>) => {
  const values = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.dataSync()[0] as number]));
  tf.dispose(Object.values(parts));
  return values;
};

/** A 1×2×1 image model with no hidden layer and hand-set weights, for losses computed by hand. */
function tinyModel(config: Partial<VaeConfig>, logVarWeight?: number): Vae {
  const vae = make({ inputShape: [1, 2, 1], latentDim: 1, arch: 'mlp', hidden: [], ...config });
  const encoderWeights = vae.variational
    ? [tf.tensor2d([[0.5], [-1]]), tf.tensor1d([0.1]), tf.tensor2d([[0.3], [0.2]]), tf.tensor1d([-0.5])]
    : [tf.tensor2d([[0.5], [-1]]), tf.tensor1d([0.1])];
  const decoderWeights = [tf.tensor2d([[1.5, -0.7]]), tf.tensor1d([0.2, 0.1])];
  if (logVarWeight !== undefined) decoderWeights.push(tf.tensor1d([logVarWeight]));
  vae.encoder.setWeights(encoderWeights);
  vae.decoder.setWeights(decoderWeights);
  tf.dispose([...encoderWeights, ...decoderWeights]);
  return vae;
}

const pixels = [
  [0.2, 0.9],
  [1, 0],
];

/** The forward pass of tinyModel by hand: per example { mu, logVar, logits } with ε from the seed. */
function handForward(variational: boolean, seed: number) {
  const epsilon = tf.randomNormal([2, 1], 0, 1, 'float32', seed);
  const eps = Array.from(epsilon.dataSync());
  epsilon.dispose();
  return pixels.map(([a, b], i) => {
    const mu = 0.5 * (a as number) - (b as number) + 0.1;
    const logVar = 0.3 * (a as number) + 0.2 * (b as number) - 0.5;
    const z = variational ? mu + Math.exp(logVar / 2) * (eps[i] as number) : mu;
    return { mu, logVar, logits: [1.5 * z + 0.2, -0.7 * z + 0.1], kl: 0.5 * (mu * mu + Math.exp(logVar) - 1 - logVar) };
  });
}

describe('lossParts against a hand computation', () => {
  const x = tf.tensor4d(pixels.flat(), [2, 1, 2, 1]);
  afterAll(() => x.dispose());
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

  it('VAE, Bernoulli: BCE from logits summed over pixels + beta·closed-form KL', () => {
    const vae = tinyModel({});
    const forward = handForward(true, 42);
    const bce = forward.map((f, i) =>
      f.logits.reduce((s, l, j) => s + softplus(l) - (pixels[i]?.[j] as number) * l, 0),
    );
    const kl = forward.map((f) => f.kl);
    const parts = scalars(vae.lossParts({ x }, { seed: 42, beta: 2 }));
    expectClose([parts.reconstruction as number, parts.kl as number], [mean(bce), mean(kl)], 1e-5);
    expectClose([parts.loss as number], [mean(bce) + 2 * mean(kl)], 1e-5);
  });

  it('VAE, Gaussian: sum of squared errors of the sigmoid mean', () => {
    const vae = tinyModel({ likelihood: 'gaussian' });
    const forward = handForward(true, 7);
    const sse = forward.map((f, i) =>
      f.logits.reduce((s, l, j) => s + ((pixels[i]?.[j] as number) - sigmoid(l)) ** 2, 0),
    );
    const parts = scalars(vae.lossParts({ x }, { seed: 7 }));
    expectClose(
      [parts.reconstruction as number, parts.loss as number],
      [mean(sse), mean(sse) + mean(forward.map((f) => f.kl))],
      1e-5,
    );
  });

  it('VAE, Gaussian with learned scalar log-variance: full Gaussian NLL', () => {
    const vae = tinyModel({ likelihood: 'gaussian-learned' }, 0.3);
    const forward = handForward(true, 3);
    const nll = forward.map((f, i) =>
      f.logits.reduce(
        (s, l, j) =>
          s + 0.5 * (Math.log(2 * Math.PI) + 0.3 + ((pixels[i]?.[j] as number) - sigmoid(l)) ** 2 / Math.exp(0.3)),
        0,
      ),
    );
    const parts = scalars(vae.lossParts({ x }, { seed: 3 }));
    expectClose([parts.reconstruction as number], [mean(nll)], 1e-5);
    expect(Array.from(vae.logVariance()?.dataSync() ?? [])).toEqual([Math.fround(0.3)]);
  });

  it('AE: decodes the code itself, kl 0, loss = reconstruction', () => {
    const vae = tinyModel({ kind: 'ae' });
    const forward = handForward(false, 0);
    const bce = forward.map((f, i) =>
      f.logits.reduce((s, l, j) => s + softplus(l) - (pixels[i]?.[j] as number) * l, 0),
    );
    const parts = scalars(vae.lossParts({ x }, { seed: 1, beta: 3 }));
    expectClose(
      [parts.reconstruction as number, parts.loss as number, parts.kl as number],
      [mean(bce), mean(bce), 0],
      1e-5,
    );
  });

  it('AE, Gaussian: plain sum of squared errors', () => {
    const vae = tinyModel({ kind: 'ae', likelihood: 'gaussian' });
    const forward = handForward(false, 0);
    const sse = forward.map((f, i) =>
      f.logits.reduce((s, l, j) => s + ((pixels[i]?.[j] as number) - sigmoid(l)) ** 2, 0),
    );
    const parts = scalars(vae.lossParts({ x }));
    expectClose([parts.loss as number], [mean(sse)], 1e-5);
  });

  it('DAE: scores the reconstruction of the corrupted input against the clean target', () => {
    const vae = tinyModel({ kind: 'dae' });
    const clean = tf.tensor4d([1, 1, 0, 0], [2, 1, 2, 1]);
    const forward = handForward(false, 0);
    const target = [
      [1, 1],
      [0, 0],
    ];
    const bce = forward.map((f, i) =>
      f.logits.reduce((s, l, j) => s + softplus(l) - (target[i]?.[j] as number) * l, 0),
    );
    const parts = scalars(vae.lossParts({ x, target: clean }));
    expectClose([parts.loss as number], [mean(bce)], 1e-5);
    expect(() => vae.lossParts({ x })).toThrow(
      /^vae\.lossParts: expected batch\.target the clean images \(config\.kind 'dae' trains corrupted x against a clean target\), got undefined\.$/,
    );
    expect(() => vae.lossParts({ x })).toThrow(ConfigError);
    clean.dispose();
  });

  it('beta-VAE weighs the KL by config.beta (4 by default)', () => {
    const vae = tinyModel({ kind: 'beta-vae' });
    const parts = scalars(vae.lossParts({ x }, { seed: 5 }));
    expectClose([parts.loss as number], [(parts.reconstruction as number) + 4 * (parts.kl as number)], 1e-5);
  });
});

describe('gradients', () => {
  const cases: [string, VaeConfig][] = [
    ['mlp vae', { inputShape: [6, 5, 1], latentDim: 2, arch: 'mlp', hidden: [8] }],
    ['conv cvae', { inputShape: [6, 5, 2], latentDim: 2, kind: 'cvae', numClasses: 3, filters: [4, 4], denseUnits: 8 }],
    [
      'conv per-pixel learned variance',
      {
        inputShape: [6, 5, 1],
        latentDim: 2,
        filters: [4],
        denseUnits: 0,
        likelihood: 'gaussian-learned',
        learnedVariance: 'per-pixel',
      },
    ],
    ['mlp dae', { inputShape: [6, 5, 1], latentDim: 2, kind: 'dae', arch: 'mlp', hidden: [8] }],
  ];
  for (const [name, config] of cases) {
    it(`are non-null, finite and non-zero for every trainable weight: ${name}`, () => {
      const vae = make(config);
      const x = fixtureImages(4, config.inputShape, 2);
      const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
      const variables = vae.trainableVariables();
      const { value, grads } = tf.variableGrads(() => {
        const parts = vae.lossParts({ x, target: x, labels }, { seed: 1 });
        return parts.loss;
      }, variables);
      for (const variable of variables) {
        const grad = grads[variable.name];
        expect(grad, variable.name).toBeDefined();
        const values = grad?.dataSync() ?? [];
        expect(values.every(Number.isFinite), variable.name).toBe(true);
        expect(
          values.some((v) => v !== 0),
          variable.name,
        ).toBe(true);
      }
      tf.dispose([value, ...Object.values(grads), x, labels]);
    });
  }
});

describe('trainStep', () => {
  it('reports the parts lossParts gives before the update, then updates the weights', () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, arch: 'mlp', hidden: [8] });
    const x = fixtureImages(4, [6, 5, 1], 3, true);
    const optimizer = tf.train.adam(0.01);
    const before = scalars(vae.lossParts({ x }, { seed: 8 }));
    const step = scalars(vae.trainStep(optimizer, { x }, { seed: 8 }));
    expectClose(
      [step.loss as number, step.reconstruction as number, step.kl as number],
      [before.loss as number, before.reconstruction as number, before.kl as number],
      1e-6,
    );
    const after = scalars(vae.lossParts({ x }, { seed: 8 }));
    expect(after.loss).not.toBe(before.loss);
    optimizer.dispose();
    x.dispose();
  });

  it('reduces the loss on a tiny fixed dataset in a few steps', () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, arch: 'conv', filters: [8], denseUnits: 16 });
    // two prototypes (top half lit, left columns lit), four copies each
    const top = Array.from({ length: 30 }, (_, i) => (i < 15 ? 1 : 0));
    const left = Array.from({ length: 30 }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const x = tf.tensor4d([top, left, top, left, top, left, top, left].flat(), [8, 6, 5, 1]);
    const optimizer = tf.train.adam(0.02);
    const before = scalars(vae.lossParts({ x }, { seed: 0 }));
    for (let step = 0; step < 30; step++) tf.dispose(Object.values(vae.trainStep(optimizer, { x }, { seed: step })));
    const after = scalars(vae.lossParts({ x }, { seed: 0 }));
    expect(after.loss as number).toBeLessThan(0.5 * (before.loss as number));
    optimizer.dispose();
    x.dispose();
  });

  it('learns the log-variance weight', () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, arch: 'mlp', hidden: [8], likelihood: 'gaussian-learned' });
    const x = fixtureImages(4, [6, 5, 1], 5);
    const optimizer = tf.train.adam(0.05);
    for (let step = 0; step < 5; step++) tf.dispose(Object.values(vae.trainStep(optimizer, { x }, { seed: step })));
    // residuals of pixels in [0, 1] are well below 1: the variance shrinks from its initial 1
    expect(vae.logVariance()?.dataSync()[0] as number).toBeLessThan(-0.1);
    optimizer.dispose();
    x.dispose();
  });

  it('does not grow the number of tensors over 20 steps', () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, kind: 'cvae', numClasses: 2, filters: [4], denseUnits: 8 });
    const x = fixtureImages(4, [6, 5, 1], 6);
    const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
    const optimizer = tf.train.adam(0.01);
    tf.dispose(Object.values(vae.trainStep(optimizer, { x, labels }, { seed: 0 }))); // creates Adam's slots
    const before = tf.memory().numTensors;
    for (let step = 1; step <= 20; step++)
      tf.dispose(Object.values(vae.trainStep(optimizer, { x, labels }, { seed: step })));
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([x, labels]);
  });

  it('rejects bad batches and options', () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, arch: 'mlp', hidden: [4] });
    const optimizer = tf.train.sgd(0.1);
    const x = fixtureImages(2, [6, 5, 1]);
    const other = fixtureImages(3, [6, 5, 1]);
    expect(() => vae.trainStep({} as tf.Optimizer, { x })).toThrow(
      /^vae\.trainStep: expected optimizer a tf\.Optimizer, got an object\.$/,
    );
    expect(() => vae.trainStep(optimizer, { x, target: other })).toThrow(
      /^vae\.trainStep: expected batch\.target the shape of batch\.x \[2,6,5,1\], got shape \[3,6,5,1\]\.$/,
    );
    expect(() => vae.trainStep(optimizer, { x }, { beta: -1 })).toThrow(
      /^vae\.trainStep: expected options\.beta a number in \[0, .*\], got -1\.$/,
    );
    expect(() => vae.trainStep(optimizer, {} as never)).toThrow(
      /^vae\.trainStep: expected batch\.x a tf\.Tensor, got undefined\.$/,
    );
    optimizer.dispose();
    tf.dispose([x, other]);
  });
});
