import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { VqVaeConfig } from './config';
import { createVqVae, type VqVae } from './vqvae';

const created: VqVae[] = [];
function model(config: VqVaeConfig): VqVae {
  const vqvae = createVqVae(config);
  created.push(vqvae);
  return vqvae;
}
afterEach(() => {
  while (created.length > 0) created.pop()?.dispose();
});

/** The sizes of the Keras example's MNIST model. */
const MNIST: VqVaeConfig = { inputShape: [28, 28, 1], dim: 16, codebookSize: 128 };
// Small and cheap: 8×8×1 images → 2×2 codes of D = 4, K = 8.
const TINY: VqVaeConfig = { inputShape: [8, 8, 1], dim: 4, codebookSize: 8, encoderFilters: [4, 6] };
const images = (n: number, seed = 1) => tf.randomUniform([n, 8, 8, 1], 0, 1, 'float32', seed);

describe('createVqVae', () => {
  it('builds the Keras example model from the sizes alone: 28×28×1 → 7×7 codes of D = 16, K = 128', () => {
    const vqvae = model(MNIST);
    expect(vqvae.latentShape).toEqual([7, 7, 16]);
    expect(vqvae.encoder.outputs[0]?.shape).toEqual([null, 7, 7, 16]);
    expect(vqvae.decoder.outputs[0]?.shape).toEqual([null, 28, 28, 1]);
    expect(vqvae.quantizer.codebook.shape).toEqual([128, 16]);
    expect(vqvae.config.decoderFilters).toEqual([64, 32]);
    expect(vqvae.config.quantizer.beta).toBe(0.25);
    expect(vqvae.config.encoderFilters).toEqual([32, 64]);
    expect(Object.isFrozen(vqvae.config) && Object.isFrozen(vqvae.config.quantizer)).toBe(true);
    expect(vqvae.encoder.layers.map((layer) => layer.name).slice(1)).toEqual(['enc_conv_0', 'enc_conv_1', 'enc_codes']);
  });

  it('encodes to an int32 code map, decodes and reconstructs images', () => {
    const vqvae = model(TINY);
    const x = images(3);
    const codes = vqvae.encode(x);
    expect(codes.dtype).toBe('int32');
    expect(codes.shape).toEqual([3, 2, 2]);
    expect(vqvae.encodeContinuous(x).shape).toEqual([3, 2, 2, 4]);
    const decoded = vqvae.decode(codes);
    expect(decoded.shape).toEqual([3, 8, 8, 1]);
    expect(Array.from(vqvae.reconstruct(x).dataSync())).toEqual(Array.from(decoded.dataSync()));
    const values = decoded.dataSync();
    expect(values.every((v) => v > 0 && v < 1)).toBe(true); // sigmoid output
  });

  it('reports loss parts that agree with each other', () => {
    const vqvae = model({ ...TINY, dataVariance: 0.5, quantizer: { beta: 0.5 } });
    const x = images(2);
    const parts = vqvae.lossParts({ x });
    const value = (s: tf.Scalar) => s.dataSync()[0] as number;
    const reconstructed = vqvae.reconstruct(x);
    const summed = tf.sum(tf.squaredDifference(x, reconstructed)).dataSync()[0] as number;
    expectClose([value(parts.reconstruction)], [summed / 2], 1e-4);
    expectClose([value(parts.reconstructionMse)], [summed / 2 / 64], 1e-4);
    expectClose([value(parts.codebook)], [value(parts.commitment)]);
    const expectedLoss = value(parts.reconstructionMse) / 0.5 + value(parts.codebook) + 0.5 * value(parts.commitment);
    expectClose([value(parts.loss)], [expectedLoss], 1e-5);
    expect(value(parts.perplexity)).toBeGreaterThanOrEqual(1);
    expect(value(parts.usage)).toBeGreaterThan(0);
  });

  it('trains: the loss falls over a few steps on a fixed batch', () => {
    const vqvae = model({ ...TINY, quantizer: { ema: true, deadCodeThreshold: 0.1, kmeansInit: true } });
    const optimizer = tf.train.adam(0.01);
    const x = images(4, 2);
    const first = vqvae.trainStep(optimizer, { x });
    expect(Object.keys(first).sort()).toEqual(
      [
        'codebook',
        'commitment',
        'loss',
        'perplexity',
        'reconstruction',
        'reconstructionMse',
        'restarted',
        'usage',
      ].sort(),
    );
    expect(vqvae.quantizer.initialized).toBe(true);
    const start = first.loss.dataSync()[0] as number;
    tf.dispose(Object.values(first));
    for (let step = 0; step < 30; step++) tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    const parts = vqvae.lossParts({ x });
    expect(parts.loss.dataSync()[0]).toBeLessThan(start);
    tf.dispose(Object.values(parts));
    optimizer.dispose();
  });

  it('moves encoder, decoder and codebook in one step, and the EMA state only with ema', () => {
    for (const ema of [false, true]) {
      const vqvae = model({ ...TINY, quantizer: { ema } });
      const optimizer = tf.train.sgd(0.1);
      const snapshot = () =>
        [vqvae.encoder, vqvae.decoder].flatMap((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
      const before = snapshot();
      const codebookBefore = Array.from(vqvae.quantizer.codebook.dataSync());
      const quantizer = vqvae.quantizer;
      if (quantizer.kind !== 'vq') throw new Error('expected a classic quantiser');
      const embedSumBefore = Array.from(quantizer.embedSum.dataSync());
      tf.dispose(Object.values(vqvae.trainStep(optimizer, { x: images(2) })));
      const after = snapshot();
      expect(after.every((weights, i) => weights.some((w, j) => w !== before[i]?.[j]))).toBe(true);
      expect(Array.from(vqvae.quantizer.codebook.dataSync())).not.toEqual(codebookBefore);
      // EMA state moves only with ema
      expect(Array.from(quantizer.embedSum.dataSync()).some((v, i) => v !== embedSumBefore[i])).toBe(ema);
      optimizer.dispose();
    }
  });

  it('does not grow the number of tensors across 20 train steps', () => {
    const vqvae = model({ ...TINY, quantizer: { ema: true, deadCodeThreshold: 0.5, kmeansInit: true } });
    const optimizer = tf.train.adam(0.001);
    const x = images(2);
    tf.dispose(Object.values(vqvae.trainStep(optimizer, { x }))); // creates Adam's slots
    const before = tf.memory().numTensors;
    for (let step = 0; step < 20; step++) tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
  });

  it('leaks no tensors in encode, decode, reconstruct and lossParts', async () => {
    const vqvae = model(TINY);
    const x = images(2);
    const codes = tf.zeros([2, 2, 2], 'int32');
    await expectNoLeak(() => [vqvae.encode(x), vqvae.encodeContinuous(x), vqvae.decode(codes), vqvae.reconstruct(x)]);
    await expectNoLeak(() => vqvae.lossParts({ x }));
  });
});

describe('errors', () => {
  it('rejects images that do not match config.inputShape', () => {
    const vqvae = model(TINY);
    expect(() => vqvae.encode(tf.zeros([2, 28, 28, 1]))).toThrow(
      /^vqvae\.encode: expected x shape \[\?,8,8,1\] \(config\.inputShape\), got shape \[2,28,28,1\]\.$/,
    );
    expect(() => vqvae.encode(tf.zeros([2, 8, 8, 1], 'int32'))).toThrow(
      /^vqvae\.encode: expected x dtype float32, got dtype int32\.$/,
    );
    expect(() => vqvae.lossParts({ x: images(2), target: tf.zeros([3, 8, 8, 1]) })).toThrow(
      /^vqvae\.lossParts: expected batch\.target the shape of batch\.x \[2,8,8,1\], got shape \[3,8,8,1\]\.$/,
    );
    expect(() => vqvae.trainStep({} as tf.Optimizer, { x: images(2) })).toThrow(
      /^vqvae\.trainStep: expected optimizer a tf\.Optimizer, got an object\.$/,
    );
  });

  it('rejects code maps of the wrong dtype, shape or range', () => {
    const vqvae = model(TINY);
    expect(() => vqvae.decode(tf.zeros([2, 2, 2]))).toThrow(
      /^vqvae\.decode: expected indices dtype int32, got dtype float32\.$/,
    );
    expect(() => vqvae.decode(tf.zeros([2, 3, 2], 'int32'))).toThrow(
      /^vqvae\.decode: expected indices shape \[\?,2,2\] \(latent grid \[n, h, w\]\), got shape \[2,3,2\]\.$/,
    );
    expect(() =>
      vqvae.decode(
        tf.tensor3d(
          [
            [
              [0, 8],
              [1, 2],
            ],
          ],
          [1, 2, 2],
          'int32',
        ),
      ),
    ).toThrow(/^vqvae\.decode: expected indices values in \[0, 7\], got values in \[0, 8\]\.$/);
    expect(() =>
      vqvae.decode(
        tf.tensor3d(
          [
            [
              [0, -1],
              [1, 2],
            ],
          ],
          [1, 2, 2],
          'int32',
        ),
      ),
    ).toThrow(/^vqvae\.decode: expected indices values in \[0, 7\], got values in \[-1, 2\]\.$/);
  });

  it.each([
    [
      { inputShape: [30, 28, 1] },
      /^createVqVae: expected config\.inputShape height divisible by 4 \(2\^2 stride-2 layers\), got 30\.$/,
    ],
    [{ dim: 0 }, /^createVqVae: expected config\.dim a positive integer, got 0\.$/],
    [{ encoderFilters: [] }, /^createVqVae: expected config\.encoderFilters a non-empty array, got \.$/],
    [
      { decoderFilters: [8] },
      /^createVqVae: expected config\.decoderFilters 2 entries \(as encoderFilters\), got 1\.$/,
    ],
    [
      { outputActivation: 'tanh' },
      /^createVqVae: expected config\.outputActivation one of sigmoid \| linear, got 'tanh'\.$/,
    ],
    [{ dataVariance: 0 }, /^createVqVae: expected config\.dataVariance a number in \[.*\], got 0\.$/],
    [{ dataMean: Number.NaN }, /^createVqVae: expected config\.dataMean a finite number or null, got NaN\.$/],
    [{ quantizer: { decay: 2 } }, /^createVqVae: expected config\.quantizer\.decay a number in \[0, 1\], got 2\.$/],
    [{ quantizer: { dim: 3 } }, /^createVqVae: expected config\.quantizer no 'dim' \(set config\.dim\), got 'dim'\.$/],
    [{ latent: 3 }, /^createVqVae: expected config known keys only, got 'latent'\.$/],
  ])('rejects config %j', (config, message) => {
    expect(() => createVqVae({ ...MNIST, ...config } as VqVaeConfig)).toThrow(message);
  });

  it('starts the decoder output at dataMean: bias logit(mean) under the sigmoid, the mean under the linear output', () => {
    const bias = (vqvae: VqVae) => Array.from(vqvae.decoder.getLayer('dec_output').getWeights()[1]?.dataSync() ?? []);
    expect(model(TINY).config.dataMean).toBeNull();
    expect(bias(model(TINY))).toEqual([0]);
    expectClose(bias(model({ ...TINY, dataMean: 0.2 })), [Math.log(0.2 / 0.8)], 1e-6);
    expectClose(bias(model({ ...TINY, dataMean: 0 })), [Math.log(0.001 / 0.999)], 1e-6); // clamped
    expectClose(bias(model({ ...TINY, dataMean: 0.2, outputActivation: 'linear' })), [0.2], 1e-6);
    // a zero code map meets zero biases before the output layer, so the decoder outputs the mean itself
    const vqvae = model({ ...TINY, dataMean: 0.3 });
    const out = tf.tidy(() => vqvae.decoder.predict(tf.zeros([1, 2, 2, 4])) as tf.Tensor);
    const pixels = Array.from(out.dataSync());
    out.dispose();
    expectClose(
      pixels,
      pixels.map(() => 0.3),
      1e-5,
    );
  });

  it("starts FSQ's first decoder layer at a small positive bias, so an all-centre code map passes a gradient", () => {
    const firstBias = (vqvae: VqVae) =>
      Array.from(vqvae.decoder.getLayer('dec_deconv_0').getWeights()[1]?.dataSync() ?? []);
    // the gradient the decoder sends back to the encoder (straight-through) from an all-centre code map
    const gradientNorm = (vqvae: VqVae) =>
      tf.tidy(() => {
        const dim = vqvae.config.dim;
        const grad = tf.grad((z: tf.Tensor) => tf.sum(vqvae.decoder.apply(z) as tf.Tensor))(tf.zeros([1, 2, 2, dim]));
        return tf.norm(grad).dataSync()[0] as number;
      });
    // without the code projection (the default puts a linear map before this layer), to compare kernels below
    const fsqConfig: VqVaeConfig = {
      ...TINY,
      dim: 3,
      codebookSize: 125,
      codeProjection: 0,
      quantizer: { kind: 'fsq', levels: [5, 5, 5] },
    };
    const fsq = model(fsqConfig);
    expectClose(firstBias(fsq), [1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3], 1e-9);
    expect(gradientNorm(fsq)).toBeGreaterThan(1e-3);
    // every other quantiser keeps Keras's zero bias (their weights are as before), and so passes nothing from zeros
    const vq = model(TINY);
    expect(firstBias(vq)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(gradientNorm(vq)).toBe(0);
    const lfq = model({ ...fsqConfig, codebookSize: 8, quantizer: { kind: 'lfq' } });
    expect(firstBias(lfq)).toEqual([0, 0, 0, 0, 0, 0]);
    // the kernels are drawn as before: FSQ takes the same seeds for them
    const kernel = (vqvae: VqVae, name: string) =>
      Array.from(vqvae.decoder.getLayer(name).getWeights()[0]?.dataSync() ?? []);
    expect(kernel(fsq, 'dec_deconv_0')).toEqual(kernel(lfq, 'dec_deconv_0'));
  });

  it("puts a linear 1×1 map to decoderFilters[0] channels before FSQ's decoder, and none before the others'", () => {
    const fsqConfig: VqVaeConfig = { ...TINY, dim: 3, codebookSize: 64, quantizer: { kind: 'fsq', levels: [4, 4, 4] } };
    const fsq = model(fsqConfig);
    expect(fsq.config.codeProjection).toBe(6); // TINY's decoderFilters: [6, 4], its encoderFilters reversed
    const project = fsq.decoder.getLayer('dec_project');
    expect(project.getConfig().activation).toBe('linear');
    expect(project.getWeights()[0]?.shape).toEqual([1, 1, 3, fsq.config.codeProjection]);
    expect(fsq.decoder.getLayer('dec_deconv_0').getWeights()[0]?.shape.at(-1)).toBe(fsq.config.codeProjection);
    // the map is part of the model: its parameters are counted, trained and decoded through
    const withoutMap = model({ ...fsqConfig, codeProjection: 0 });
    const extra = 3 * fsq.config.codeProjection + fsq.config.codeProjection;
    const inputs = fsq.config.codeProjection - 3; // dec_deconv_0 takes codeProjection channels instead of 3
    const deconv = (TINY.kernelSize ?? 3) ** 2 * inputs * (fsq.config.decoderFilters[0] as number);
    expect(fsq.decoder.countParams() - withoutMap.decoder.countParams()).toBe(extra + deconv);
    expect(fsq.decoder.trainableWeights.map((w) => w.originalName)).toContain('dec_project/kernel');
    expect(model(TINY).config.codeProjection).toBe(0);
    expect(() => model(TINY).decoder.getLayer('dec_project')).toThrow();
    // any kind takes one when asked
    const vq = model({ ...TINY, codeProjection: 5 });
    expect(vq.decoder.getLayer('dec_project').getWeights()[0]?.shape).toEqual([1, 1, TINY.dim, 5]);
  });

  it.each([-1, 1.5, 'wide'])('refuses codeProjection %s with a line naming it', (value) => {
    expect(() => model({ ...TINY, codeProjection: value as number })).toThrow(
      `createVqVae: expected config.codeProjection an integer ≥ 0 or null, got ${typeof value === 'string' ? `'${value}'` : value}.`,
    );
  });

  it.each(['inputShape', 'dim', 'codebookSize'] as const)('requires the size %s', (size) => {
    const { [size]: _omitted, ...rest } = MNIST;
    expect(() => createVqVae(rest as VqVaeConfig)).toThrow(
      new RegExp(`^createVqVae: expected config\\.${size} a value \\(a required size\\), got none\\.$`),
    );
  });
});
