import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { resolveVaeConfig, type VaeConfig } from './config';
import { convSizes } from './conv';
import { buildDecoder, buildEncoder } from './network';

function outputs(model: tfl.LayersModel, inputs: tf.Tensor | tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const out = model.predict(inputs);
    return (Array.isArray(out) ? out : [out]).map((t) => t.shape);
  });
}

function inputsFor(config: ReturnType<typeof resolveVaeConfig>, n: number, decoder: boolean): tf.Tensor[] {
  return tf.tidy(() => {
    const first = decoder ? tf.zeros([n, config.latentDim]) : tf.zeros([n, ...config.inputShape]);
    if (config.kind !== 'cvae') return [first];
    return [first, tf.cast(tf.oneHot(tf.tensor1d([0, 1, 0].slice(0, n), 'int32'), config.numClasses), 'float32')];
  });
}

describe('buildEncoder / buildDecoder', () => {
  const cases: [string, Partial<VaeConfig>][] = [
    ['mlp 28x28x1', { arch: 'mlp', inputShape: [28, 28, 1] }],
    ['conv 28x28x1', { arch: 'conv', inputShape: [28, 28, 1] }],
    ['mlp 12x10x3', { arch: 'mlp', inputShape: [12, 10, 3], hidden: [16, 8] }],
    ['conv 12x10x3', { arch: 'conv', inputShape: [12, 10, 3], filters: [4, 8], denseUnits: 0 }],
    ['conv 7x5x2 three layers', { arch: 'conv', inputShape: [7, 5, 2], filters: [4, 4, 4], denseUnits: 8 }],
    ['cvae conv 12x10x3', { kind: 'cvae', numClasses: 3, inputShape: [12, 10, 3], filters: [4, 8] }],
    ['cvae mlp 28x28x1', { kind: 'cvae', numClasses: 3, arch: 'mlp', inputShape: [28, 28, 1], hidden: [16] }],
    ['ae conv 12x10x3', { kind: 'ae', inputShape: [12, 10, 3], filters: [4] }],
  ];
  for (const [name, partial] of cases) {
    it(`gives the right shapes: ${name}`, () => {
      const config = resolveVaeConfig({ latentDim: 3, inputShape: [28, 28, 1], ...partial });
      const encoder = buildEncoder(config);
      const decoder = buildDecoder(config);
      const before = tf.memory().numTensors;
      const encoderInputs = inputsFor(config, 2, false);
      const decoderInputs = inputsFor(config, 2, true);
      const heads =
        config.kind === 'ae'
          ? [[2, 3]]
          : [
              [2, 3],
              [2, 3],
            ];
      expect(outputs(encoder, encoderInputs)).toEqual(heads);
      expect(outputs(decoder, decoderInputs)).toEqual([[2, ...config.inputShape]]);
      tf.dispose([...encoderInputs, ...decoderInputs]);
      expect(tf.memory().numTensors).toBe(before);
      encoder.dispose();
      decoder.dispose();
    });
  }

  it('matches PyTorch examples/vae layer sizes for the MLP default', () => {
    const config = resolveVaeConfig({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
    const encoder = buildEncoder(config);
    const decoder = buildDecoder(config);
    const kernels = (m: tfl.LayersModel) => m.trainableWeights.filter((w) => w.shape.length === 2).map((w) => w.shape);
    expect(kernels(encoder)).toEqual([
      [784, 400],
      [400, 20],
      [400, 20],
    ]);
    expect(kernels(decoder)).toEqual([
      [20, 400],
      [400, 784],
    ]);
    expect(encoder.countParams() + decoder.countParams()).toBe(
      784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784,
    );
    encoder.dispose();
    decoder.dispose();
  });

  it('is reproducible from config.seed and differs across seeds', () => {
    const weightsOf = (seed: number) => {
      const encoder = buildEncoder(
        resolveVaeConfig({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [3], seed }),
      );
      const values = encoder.getWeights().map((w) => Array.from(w.dataSync()));
      encoder.dispose();
      return values;
    };
    expect(weightsOf(5)).toEqual(weightsOf(5));
    expect(weightsOf(5)[0]).not.toEqual(weightsOf(6)[0]);
    // the mean and log-variance heads get different initial kernels
    const heads = weightsOf(5);
    expect(heads[2]).not.toEqual(heads[4]);
  });
});

describe('convSizes', () => {
  it('halves with ceiling', () => {
    expect(convSizes(12, 10, 2)).toEqual([
      [12, 10],
      [6, 5],
      [3, 3],
    ]);
    expect(convSizes(28, 28, 2)).toEqual([
      [28, 28],
      [14, 14],
      [7, 7],
    ]);
    expect(convSizes(7, 1, 3)).toEqual([
      [7, 1],
      [4, 1],
      [2, 1],
      [1, 1],
    ]);
  });
});

describe('config.init', () => {
  const maxAbsKernel = (config: VaeConfig, layer: string) => {
    const encoder = buildEncoder(resolveVaeConfig(config));
    const kernel = encoder.getLayer(layer).getWeights()[0]!;
    const max = tf.tidy(() => tf.max(tf.abs(kernel)).dataSync()[0]!);
    const bias = encoder.getLayer(layer).getWeights()[1]!;
    const biasMax = tf.tidy(() => tf.max(tf.abs(bias)).dataSync()[0]!);
    encoder.dispose();
    return { max, biasMax };
  };
  const mlp: VaeConfig = { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 };

  it("'pytorch' draws kernels from U(±1/√fan_in) like nn.Linear, 'glorot' from U(±√(6/(fan_in+fan_out)))", () => {
    const torchBound = 1 / Math.sqrt(784);
    const glorotBound = Math.sqrt(6 / (784 + 400));
    const torch = maxAbsKernel({ ...mlp, init: 'pytorch' }, 'enc_dense_0');
    const glorot = maxAbsKernel({ ...mlp, init: 'glorot' }, 'enc_dense_0');
    // 313,600 draws: the largest lies within 0.1 % of the bound
    expect(torch.max).toBeLessThanOrEqual(torchBound);
    expect(torch.max).toBeGreaterThan(0.999 * torchBound);
    expect(glorot.max).toBeLessThanOrEqual(glorotBound);
    expect(glorot.max).toBeGreaterThan(0.999 * glorotBound);
    // biases: PyTorch's U(±1/√fan_in) over 400 draws (the largest within 2 % of the bound), Glorot's zeros
    expect(torch.biasMax).toBeLessThanOrEqual(torchBound);
    expect(torch.biasMax).toBeGreaterThan(0.98 * torchBound);
    expect(glorot.biasMax).toBe(0);
    expect(resolveVaeConfig(mlp).init).toBe('glorot');
  });

  it('rejects an unknown initialiser', () => {
    expect(() => resolveVaeConfig({ ...mlp, init: 'he' as never })).toThrow(
      /^createVae: expected config\.init one of glorot \| pytorch, got 'he'\.$/,
    );
  });
});
