import * as tf from '@tensorflow/tfjs-core';
import {
  DTypeError,
  type ModelManifest,
  type PartIO,
  type Preview,
  ShapeError,
  type TrainableModel,
  type TrainBatch,
  type TrainStepOptions,
  ValueError,
} from '@vaejs/core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { fixtureImages } from './__fixtures__/images';
import type { VaeConfig } from './config';
import { latentGridPoints } from './latent-grid';
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

describe('createVae: every operation has the right shapes', () => {
  const cases: [string, VaeConfig][] = [
    ['mlp 28x28x1', { inputShape: [28, 28, 1], latentDim: 4, arch: 'mlp', hidden: [32] }],
    ['conv 28x28x1', { inputShape: [28, 28, 1], latentDim: 4, arch: 'conv', filters: [4, 8], denseUnits: 16 }],
    [
      'mlp 12x10x3 gaussian',
      { inputShape: [12, 10, 3], latentDim: 3, arch: 'mlp', hidden: [16], likelihood: 'gaussian' },
    ],
    [
      'conv 12x10x3 learned variance',
      { inputShape: [12, 10, 3], latentDim: 3, filters: [4, 8], denseUnits: 0, likelihood: 'gaussian-learned' },
    ],
    ['conv 12x10x3 ae', { inputShape: [12, 10, 3], latentDim: 3, kind: 'ae', filters: [4, 8] }],
    ['mlp 12x10x3 beta-vae', { inputShape: [12, 10, 3], latentDim: 3, kind: 'beta-vae', arch: 'mlp', hidden: [8] }],
  ];
  for (const [name, config] of cases) {
    it(name, async () => {
      const vae = make(config);
      const [h, w, c] = config.inputShape;
      const d = config.latentDim;
      const x = fixtureImages(3, config.inputShape);
      await expectNoLeak(() => {
        const { mean, logVar } = vae.encode(x);
        expect(mean.shape).toEqual([3, d]);
        expect(logVar?.shape ?? null).toEqual(vae.variational ? [3, d] : null);
        const decoded = vae.decode(mean);
        expect(decoded.shape).toEqual([3, h, w, c]);
        const values = decoded.dataSync();
        expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
        const reconstruction = vae.reconstruct(x, { sample: true, seed: 3 });
        expect(reconstruction.shape).toEqual([3, h, w, c]);
        const generated = vae.generate(5, { seed: 1 });
        expect(generated.shape).toEqual([5, h, w, c]);
        const [a, b] = [tf.slice(x, 0, 1), tf.slice(x, 1, 1)];
        const path = vae.interpolate(a, b, 4);
        expect(path.shape).toEqual([4, h, w, c]);
        const grid = vae.latentGrid(3);
        expect(grid.shape).toEqual([9, h, w, c]);
        return [mean, logVar, decoded, reconstruction, generated, a, b, path, grid];
      });
      x.dispose();
    });
  }
});

describe('operations', () => {
  const vae = make({ inputShape: [6, 5, 2], latentDim: 2, arch: 'mlp', hidden: [8], seed: 3 });
  const x = fixtureImages(4, [6, 5, 2], 7);
  afterAll(() => x.dispose());

  it('decode is the sigmoid of decodeRaw for the Bernoulli likelihood', () => {
    const z = tf.tensor2d([
      [0.5, -1],
      [2, 0],
    ]);
    const raw = vae.decodeRaw(z);
    const decoded = vae.decode(z);
    const sigmoid = tf.sigmoid(raw);
    expectClose(decoded.dataSync(), sigmoid.dataSync(), 1e-7);
    tf.dispose([z, raw, decoded, sigmoid]);
  });

  it('reconstruct decodes the posterior mean unless asked to sample', () => {
    const { mean, logVar } = vae.encode(x);
    const viaMean = vae.decode(mean);
    const reconstruction = vae.reconstruct(x);
    expect(Array.from(reconstruction.dataSync())).toEqual(Array.from(viaMean.dataSync()));
    const z = vae.sampleZ(mean, logVar as tf.Tensor2D, 11);
    const viaSample = vae.decode(z);
    const sampled = vae.reconstruct(x, { sample: true, seed: 11 });
    expect(Array.from(sampled.dataSync())).toEqual(Array.from(viaSample.dataSync()));
    tf.dispose([mean, logVar as tf.Tensor, viaMean, reconstruction, z, viaSample, sampled]);
  });

  it('sampleZ is mean + exp(logVar/2)·ε with seeded ε', () => {
    const mean = tf.tensor2d([[1, -2]]);
    const logVar = tf.tensor2d([[Math.log(4), 0]]);
    const epsilon = tf.randomNormal([1, 2], 0, 1, 'float32', 5);
    const z = vae.sampleZ(mean, logVar, 5);
    const [e0, e1] = Array.from(epsilon.dataSync());
    expectClose(z.dataSync(), [1 + 2 * (e0 as number), -2 + (e1 as number)], 1e-6);
    tf.dispose([mean, logVar, epsilon, z]);
  });

  it('generate is reproducible from the seed and decodes N(0, I) draws', () => {
    const a = vae.generate(3, { seed: 9 });
    const b = vae.generate(3, { seed: 9 });
    const c = vae.generate(3, { seed: 10 });
    const z = tf.randomNormal([3, 2], 0, 1, 'float32', 9) as tf.Tensor2D;
    const direct = vae.decode(z);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).toEqual(Array.from(direct.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c, z, direct]);
  });

  it('interpolate starts and ends at the decoded means and is linear in z', async () => {
    await expectNoLeak(() => {
      const a = tf.slice(x, 0, 1);
      const b = tf.slice(x, 2, 1);
      const path = vae.interpolate(a, b, 5);
      const pair = tf.concat([a, b]) as tf.Tensor4D;
      const means = vae.encode(pair);
      const [meanA, meanB] = tf.split(means.mean, 2) as [tf.Tensor2D, tf.Tensor2D];
      const midpoint = tf.tidy(() => tf.div(tf.add(meanA, meanB), 2) as tf.Tensor2D);
      const endpoints = [vae.decode(meanA), vae.decode(midpoint), vae.decode(meanB)];
      const frames = tf.split(path, 5);
      expectClose(frames[0]?.dataSync() ?? [], endpoints[0]?.dataSync() ?? [], 1e-6);
      expectClose(frames[2]?.dataSync() ?? [], endpoints[1]?.dataSync() ?? [], 1e-6);
      expectClose(frames[4]?.dataSync() ?? [], endpoints[2]?.dataSync() ?? [], 1e-6);
      // rank-3 inputs work too
      const [a3, b3] = [tf.squeeze(a, [0]), tf.squeeze(b, [0])];
      const unbatched = vae.interpolate(a3, b3, 5);
      expect(Array.from(unbatched.dataSync())).toEqual(Array.from(path.dataSync()));
      return [a, b, pair, path, means, meanA, meanB, midpoint, endpoints, frames, a3, b3, unbatched];
    });
  });

  it('latentGrid decodes latentGridPoints in order', () => {
    const grid = vae.latentGrid(4, { quantiles: [0.1, 0.9] });
    const points = latentGridPoints(4, 2, { quantiles: [0.1, 0.9] });
    const direct = vae.decode(points);
    expect(grid.shape).toEqual([16, 6, 5, 2]);
    expect(Array.from(grid.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([grid, points, direct]);
  });

  it('exposes every trainable variable', () => {
    const variables = vae.trainableVariables();
    // encoder: dense kernel+bias, mean kernel+bias, logVar kernel+bias; decoder: dense, output
    expect(variables.map((v) => v.shape)).toEqual([[60, 8], [8], [8, 2], [2], [8, 2], [2], [2, 8], [8], [8, 60], [60]]);
    expect(vae.logVariance()).toBeNull();
  });

  it('rejects bad inputs with the template message', () => {
    const flat = tf.zeros([2, 60]);
    const wrongSize = tf.zeros([2, 5, 6, 2]);
    const ints = tf.zeros([2, 6, 5, 2], 'int32');
    const z3 = tf.zeros([2, 3]);
    expect(() => vae.encode(flat as tf.Tensor4D)).toThrow(
      /^vae\.encode: expected x rank 4, got rank 2 \(shape \[2,60\]\)\.$/,
    );
    expect(() => vae.encode(wrongSize as tf.Tensor4D)).toThrow(
      /^vae\.encode: expected x shape \[\?,6,5,2\] \(config\.inputShape\), got shape \[2,5,6,2\]\.$/,
    );
    expect(() => vae.encode(ints as tf.Tensor4D)).toThrow(/^vae\.encode: expected x dtype float32, got dtype int32\.$/);
    expect(() => vae.encode(ints as tf.Tensor4D)).toThrow(DTypeError);
    expect(() => vae.encode([1, 2] as unknown as tf.Tensor4D)).toThrow(
      /^vae\.encode: expected x a tf\.Tensor, got an array\.$/,
    );
    expect(() => vae.decode(z3 as tf.Tensor2D)).toThrow(
      /^vae\.decode: expected z shape \[\?,2\] \(config\.latentDim\), got shape \[2,3\]\.$/,
    );
    expect(() => vae.decode(z3 as tf.Tensor2D)).toThrow(ShapeError);
    expect(() => vae.generate(0)).toThrow(/^vae\.generate: expected n a positive integer, got 0\.$/);
    expect(() => vae.interpolate(tf.slice(x, 0, 1), tf.slice(x, 1, 1), 1)).toThrow(
      /^vae\.interpolate: expected steps an integer ≥ 2, got 1\.$/,
    );
    expect(() => vae.interpolate(tf.slice(x, 0, 2), tf.slice(x, 1, 1), 3)).toThrow(
      /^vae\.interpolate: expected a one image \[1, h, w, c\] or \[h, w, c\], got shape \[2,6,5,2\]\.$/,
    );
    tf.dispose([flat, wrongSize, ints, z3]);
  });

  it('rejects a latent grid for a 1-D latent', () => {
    const line = make({ inputShape: [2, 2, 1], latentDim: 1, arch: 'mlp', hidden: [] });
    expect(() => line.latentGrid(3)).toThrow(/^latentGridPoints: expected latentDim an integer ≥ 2/);
  });
});

describe('conditional VAE', () => {
  const cvae = make({
    inputShape: [6, 5, 1],
    latentDim: 2,
    kind: 'cvae',
    numClasses: 3,
    arch: 'conv',
    filters: [4],
    denseUnits: 8,
  });
  const x = fixtureImages(2, [6, 5, 1], 4);
  afterAll(() => x.dispose());

  it('feeds the labels one-hot to the encoder and the decoder', () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    const oneHot = tf.tensor2d([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const { mean, logVar } = cvae.encode(x, labels);
    const [directMean, directLogVar] = cvae.encoder.predict([x, oneHot]) as tf.Tensor[];
    expect(Array.from(mean.dataSync())).toEqual(Array.from(directMean?.dataSync() ?? []));
    expect(Array.from(logVar?.dataSync() ?? [])).toEqual(Array.from(directLogVar?.dataSync() ?? []));
    const decoded = cvae.decodeRaw(mean, labels);
    const direct = cvae.decoder.predict([mean, oneHot]) as tf.Tensor;
    expect(Array.from(decoded.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([
      labels,
      oneHot,
      mean,
      logVar as tf.Tensor,
      directMean as tf.Tensor,
      directLogVar as tf.Tensor,
      decoded,
      direct,
    ]);
  });

  it('changes the output with the label, and takes one number for all', () => {
    const z = tf.zeros([2, 2]) as tf.Tensor2D;
    const same = tf.tensor1d([1, 1], 'int32');
    const asNumber = cvae.decode(z, 1);
    const asTensor = cvae.decode(z, same);
    const other = cvae.decode(z, 2);
    expect(Array.from(asNumber.dataSync())).toEqual(Array.from(asTensor.dataSync()));
    expect(Array.from(asNumber.dataSync())).not.toEqual(Array.from(other.dataSync()));
    expect(cvae.generate(4, { seed: 1, labels: 0 }).shape).toEqual([4, 6, 5, 1]);
    expect(cvae.latentGrid(2, { label: 2 }).shape).toEqual([4, 6, 5, 1]);
    tf.dispose([z, same, asNumber, asTensor, other]);
  });

  it('interpolates the label one-hot between the two labels', () => {
    const path = cvae.interpolate(tf.slice(x, 0, 1), tf.slice(x, 1, 1), 3, { labels: [0, 2] });
    const { mean } = cvae.encode(x, tf.tensor1d([0, 2], 'int32'));
    const [meanA, meanB] = tf.split(mean, 2) as [tf.Tensor2D, tf.Tensor2D];
    const middle = cvae.decoder.predict([tf.div(tf.add(meanA, meanB), 2), tf.tensor2d([[0.5, 0, 0.5]])]) as tf.Tensor;
    const frames = tf.split(path, 3);
    expectClose(frames[1]?.dataSync() ?? [], tf.sigmoid(middle).dataSync(), 1e-6);
    tf.dispose([path, mean, meanA, meanB, middle, ...frames]);
  });

  it('rejects missing, misshapen, mistyped and out-of-range labels', () => {
    const floats = tf.tensor1d([0, 1]);
    const three = tf.tensor1d([0, 1, 2], 'int32');
    const outOfRange = tf.tensor1d([0, 3], 'int32');
    expect(() => cvae.encode(x)).toThrow(
      /^vae\.encode: expected labels int32 \[2\] class indices in \[0, 2\] \(config\.kind 'cvae'\), got undefined\.$/,
    );
    expect(() => cvae.encode(x)).toThrow(ValueError);
    expect(() => cvae.encode(x, floats as tf.Tensor1D)).toThrow(
      /^vae\.encode: expected labels dtype int32, got dtype float32\.$/,
    );
    expect(() => cvae.encode(x, three as tf.Tensor1D)).toThrow(
      /^vae\.encode: expected labels shape \[2\] \(one per example\), got shape \[3\]\.$/,
    );
    expect(() => cvae.encode(x, outOfRange as tf.Tensor1D)).toThrow(
      /^vae\.encode: expected labels values in \[0, 2\], got values in \[0, 3\]\.$/,
    );
    expect(() => cvae.generate(2, { labels: 5 })).toThrow(
      /^vae\.generate: expected labels an integer class index in \[0, 2\] \(config\.kind 'cvae'\), got 5\.$/,
    );
    expect(() => cvae.interpolate(tf.slice(x, 0, 1), tf.slice(x, 1, 1), 3)).toThrow(
      /^vae\.interpolate: expected options\.labels \[labelA, labelB\] \(config\.kind 'cvae'\), got undefined\.$/,
    );
    tf.dispose([floats, three, outOfRange]);
  });
});

describe('the TrainableModel contract of @vaejs/core', () => {
  it('is implemented by the object createVae returns, with strictly compatible signatures', () => {
    expectTypeOf(createVae).returns.toExtend<TrainableModel>();
    const vae = make({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [4] });
    const model: TrainableModel = vae;
    // function-typed targets are checked contravariantly (strictFunctionTypes), unlike the interface's methods
    const trainStep: (
      optimizer: tf.Optimizer,
      batch: TrainBatch,
      options?: TrainStepOptions,
    ) => Record<string, tf.Scalar> = vae.trainStep;
    const lossParts: (batch: TrainBatch, options?: { seed?: number }) => Record<string, tf.Scalar> = vae.lossParts;
    const save: (io: PartIO) => Promise<ModelManifest> = vae.save;
    const restore: (manifest: unknown, io: PartIO) => Promise<void> = vae.restore;
    const previews: (sample: TrainBatch, options: { seed: number; epoch: number }) => Promise<Record<string, Preview>> =
      vae.previews;
    expect([model.dispose, trainStep, lossParts, save, restore, previews].every((f) => typeof f === 'function')).toBe(
      true,
    );
  });

  it("reads seed and beta from the trainer's step options and ignores the others", () => {
    const vae = make({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [4] });
    const x = fixtureImages(2, [4, 4, 1], 1);
    const options: TrainStepOptions = { seed: 3, step: 10, beta: 0, schedule: 'linear' };
    const parts = vae.lossParts({ x }, options);
    const plain = vae.lossParts({ x }, { seed: 3, beta: 0 });
    expect(parts.loss.dataSync()[0]).toBe(plain.loss.dataSync()[0]);
    expect(parts.loss.dataSync()[0], 'beta 0: loss is the reconstruction').toBe(parts.reconstruction.dataSync()[0]);
    tf.dispose([x, ...Object.values(parts), ...Object.values(plain)]);
  });
});
