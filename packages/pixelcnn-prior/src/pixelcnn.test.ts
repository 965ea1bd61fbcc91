import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  DTypeError,
  type ModelManifest,
  type PartIO,
  ShapeError,
  type TrainableModel,
  type TrainBatch,
  type TrainStepOptions,
  ValueError,
} from '@vaejs/core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { randomMaps, rowRepeatMaps, TINY_CONFIG } from './__fixtures__/tiny';
import { createPixelCnn } from './pixelcnn';

describe('createPixelCnn', () => {
  it('gives logits [n, h, w, K] and log-probabilities [n] equal to the sum of log-softmax picks', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const maps = randomMaps(2, 5, 6, 4, 1);
    await expectNoLeak(() => {
      const logits = prior.logits(maps);
      expect(logits.shape).toEqual([2, 5, 6, 4]);
      expect(logits.dtype).toBe('float32');
      const logProb = prior.logProb(maps);
      expect(logProb.shape).toEqual([2]);
      const values = logits.dataSync();
      const indices = maps.dataSync();
      const expected = [0, 0];
      for (let position = 0; position < 2 * 30; position++) {
        const row = Array.from(values.slice(position * 4, position * 4 + 4));
        const max = Math.max(...row);
        const logSumExp = max + Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
        const map = Math.floor(position / 30);
        expected[map] = (expected[map] as number) + (row[indices[position] as number] as number) - logSumExp;
      }
      expectClose(logProb.dataSync(), expected, 1e-5);
      return [logits, logProb];
    });
    maps.dispose();
    prior.dispose();
  });

  it('builds the same weights from the same seed and different ones from another', () => {
    const a = createPixelCnn(TINY_CONFIG);
    const b = createPixelCnn(TINY_CONFIG);
    const c = createPixelCnn({ ...TINY_CONFIG, seed: 4 });
    const maps = randomMaps(1, 5, 6, 4, 2);
    const [la, lb, lc] = [a, b, c].map((p) => p.logits(maps));
    expect(Array.from(la!.dataSync())).toEqual(Array.from(lb!.dataSync()));
    expect(Array.from(la!.dataSync())).not.toEqual(Array.from(lc!.dataSync()));
    tf.dispose([la!, lb!, lc!, maps]);
    [a, b, c].forEach((p) => {
      p.dispose();
    });
  });

  it('lossParts: nats per position and bits per dim = nats / ln 2, with non-null gradients for every weight', () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, numClasses: 3 });
    const maps = randomMaps(3, 5, 6, 4, 3);
    const labels = tf.tensor1d([0, 2, 1], 'int32');
    const { loss, bitsPerDim } = prior.lossParts({ x: maps, labels });
    const logProb = prior.logProb(maps, labels);
    const expectedNats = -Array.from(logProb.dataSync()).reduce((s, v) => s + v, 0) / (3 * 30);
    expectClose([loss.dataSync()[0] as number], [expectedNats], 1e-5);
    expectClose([bitsPerDim.dataSync()[0] as number], [expectedNats / Math.LN2], 1e-5);
    const variables = prior.network.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => prior.lossParts({ x: maps, labels }).loss, variables);
    const names = Object.keys(grads);
    expect(names.length).toBe(variables.length);
    for (const name of names) {
      const norm = tf.norm(grads[name] as tf.Tensor);
      expect(norm.dataSync()[0], name).toBeGreaterThan(0);
      norm.dispose();
    }
    tf.dispose([value, grads, loss, bitsPerDim, logProb, maps, labels]);
    prior.dispose();
  });

  it('trains on maps whose rows repeat their first value: nats per position fall far below log K', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const optimizer = tf.train.adam(0.03);
    const test = rowRepeatMaps(16, 5, 6, 4, 1000);
    const initial = await prior.evaluate(test);
    for (let step = 0; step < 30; step++) {
      const maps = rowRepeatMaps(8, 5, 6, 4, step);
      tf.dispose([prior.trainStep(optimizer, { x: maps }), maps]);
    }
    const result = await prior.evaluate(test, { batchSize: 5 });
    // Entropy of the source: log 4 for the first column only, so (1/6)·log 4 = 0.23 nats per position.
    expect(initial.loss).toBeGreaterThan(0.8 * Math.log(4));
    expect(result.loss).toBeLessThan(0.4 * Math.log(4));
    expect(result.bitsPerDim).toBeCloseTo(result.loss / Math.LN2, 10);
    const parts = prior.lossParts({ x: test });
    expect(parts.loss.dataSync()[0]).toBeCloseTo(result.loss, 5);
    tf.dispose([parts, test]);
    optimizer.dispose();
    prior.dispose();
  });

  it('does not grow the number of tensors over 20 training steps (after the optimiser made its state)', () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, numClasses: 2 });
    const optimizer = tf.train.adam(0.01);
    const maps = randomMaps(4, 5, 6, 4, 7);
    const labels = [0, 1, 1, 0];
    tf.dispose(prior.trainStep(optimizer, { x: maps, labels }));
    const before = tf.memory().numTensors;
    for (let step = 0; step < 20; step++) tf.dispose(prior.trainStep(optimizer, { x: maps, labels }));
    expect(tf.memory().numTensors).toBe(before);
    maps.dispose();
    optimizer.dispose();
    prior.dispose();
  });

  it('the masked architecture trains too', async () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, architecture: 'masked', kernelSize: 3 });
    const optimizer = tf.train.adam(0.03);
    for (let step = 0; step < 30; step++) {
      const maps = rowRepeatMaps(8, 5, 6, 4, step);
      tf.dispose([prior.trainStep(optimizer, { x: maps }), maps]);
    }
    const test = rowRepeatMaps(16, 5, 6, 4, 1000);
    expect((await prior.evaluate(test)).loss).toBeLessThan(0.5 * Math.log(4));
    test.dispose();
    optimizer.dispose();
    prior.dispose();
  });
});

describe('bad input', () => {
  const prior = createPixelCnn(TINY_CONFIG);
  const conditioned = createPixelCnn({ ...TINY_CONFIG, numClasses: 3 });

  it('rejects maps of the wrong dtype, rank, size or values', () => {
    const floats = tf.zeros([2, 5, 6]);
    expect(() => prior.logits(floats as tf.Tensor3D)).toThrow(DTypeError);
    expect(() => prior.logits(floats as tf.Tensor3D)).toThrow(
      /^pixelCnn\.logits: expected maps dtype int32, got dtype float32\.$/,
    );
    const flat = tf.zeros([2, 30], 'int32');
    expect(() => prior.logProb(flat as unknown as tf.Tensor3D)).toThrow(ShapeError);
    expect(() => prior.logProb(flat as unknown as tf.Tensor3D)).toThrow(
      /^pixelCnn\.logProb: expected maps rank 3, got rank 2 \(shape \[2,30\]\)\.$/,
    );
    const transposed = tf.zeros([2, 6, 5], 'int32') as tf.Tensor3D;
    expect(() => prior.logits(transposed)).toThrow(
      /^pixelCnn\.logits: expected maps shape \[\?,5,6\] \(height and width from config\), got shape \[2,6,5\]\.$/,
    );
    const tooLarge = tf.fill([1, 5, 6], 4, 'int32') as tf.Tensor3D;
    expect(() => prior.lossParts({ x: tooLarge })).toThrow(ValueError);
    expect(() => prior.lossParts({ x: tooLarge })).toThrow(
      /^pixelCnn\.lossParts: expected maps values in \[0, 3\], got values in \[4, 4\]\.$/,
    );
    const negative = tf.fill([1, 5, 6], -1, 'int32') as tf.Tensor3D;
    const optimizer = tf.train.sgd(0.1);
    expect(() => prior.trainStep(optimizer, { x: negative })).toThrow(
      /^pixelCnn\.trainStep: expected maps values in \[0, 3\], got values in \[-1, -1\]\.$/,
    );
    tf.dispose([floats, flat, transposed, tooLarge, negative]);
  });

  it('rejects labels for an unconditioned model, and missing or bad labels for a conditioned one', () => {
    const maps = tf.zeros([2, 5, 6], 'int32') as tf.Tensor3D;
    const labels = tf.tensor1d([0, 1], 'int32');
    expect(() => prior.logits(maps, labels)).toThrow(ValueError);
    expect(() => prior.logits(maps, labels)).toThrow(
      /^pixelCnn\.logits: expected labels undefined \(config\.numClasses is 0: the model is unconditioned\), got a tensor of shape \[2\]\.$/,
    );
    expect(() => conditioned.logits(maps)).toThrow(
      /^pixelCnn\.logits: expected labels int32 \[2\] class indices in \[0, 2\] \(config\.numClasses is 3\), got undefined\.$/,
    );
    expect(() => conditioned.logits(maps, [0, 3])).toThrow(
      /^pixelCnn\.logits: expected labels int32 \[2\] class indices in \[0, 2\] \(config\.numClasses is 3\), got \[0,3\]\.$/,
    );
    const three = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => conditioned.logits(maps, three)).toThrow(
      /^pixelCnn\.logits: expected labels shape \[2\] \(one per example\), got shape \[3\]\.$/,
    );
    const floatLabels = tf.tensor1d([0, 1]);
    expect(() => conditioned.logits(maps, floatLabels)).toThrow(
      /^pixelCnn\.logits: expected labels dtype int32, got dtype float32\.$/,
    );
    const outOfRange = tf.tensor1d([0, 5], 'int32');
    expect(() => conditioned.logits(maps, outOfRange)).toThrow(
      /^pixelCnn\.logits: expected labels values in \[0, 2\], got values in \[0, 5\]\.$/,
    );
    tf.dispose([maps, labels, three, floatLabels, outOfRange]);
  });

  it('rejects bad configs', () => {
    expect(() => createPixelCnn({ ...TINY_CONFIG, kernelSize: 4 })).toThrow(ConfigError);
    expect(() => createPixelCnn({ ...TINY_CONFIG, kernelSize: 4 })).toThrow(
      /^createPixelCnn: expected config\.kernelSize an odd integer ≥ 3, got 4\.$/,
    );
    expect(() => createPixelCnn({ ...TINY_CONFIG, numCategories: 1 })).toThrow(
      /^createPixelCnn: expected config\.numCategories an integer ≥ 2, got 1\.$/,
    );
    expect(() => createPixelCnn({ ...TINY_CONFIG, architecture: 'lstm' as 'gated' })).toThrow(
      /^createPixelCnn: expected config\.architecture one of gated \| masked, got 'lstm'\.$/,
    );
    expect(() => createPixelCnn({ numCategories: 8, height: 0, width: 7 })).toThrow(
      /^createPixelCnn: expected config\.height a positive integer, got 0\.$/,
    );
  });

  it('rejects a bad batch size in evaluate', async () => {
    const maps = tf.zeros([2, 5, 6], 'int32') as tf.Tensor3D;
    await expect(prior.evaluate(maps, { batchSize: 0 })).rejects.toThrow(
      /^pixelCnn\.evaluate: expected options\.batchSize a positive integer, got 0\.$/,
    );
    maps.dispose();
  });
});

describe('the TrainableModel contract of @vaejs/core', () => {
  it('is implemented by the object createPixelCnn returns, with strictly compatible signatures, and no previews', () => {
    expectTypeOf(createPixelCnn).returns.toExtend<TrainableModel>();
    const prior = createPixelCnn(TINY_CONFIG);
    const model: TrainableModel = prior;
    // function-typed targets are checked contravariantly (strictFunctionTypes), unlike the interface's methods
    const trainStep: (
      optimizer: tf.Optimizer,
      batch: TrainBatch,
      options?: TrainStepOptions,
    ) => Record<string, tf.Scalar> = prior.trainStep;
    const lossParts: (batch: TrainBatch, options?: { seed?: number }) => Record<string, tf.Scalar> = prior.lossParts;
    const save: (io: PartIO) => Promise<ModelManifest> = prior.save;
    const restore: (manifest: unknown, io: PartIO) => Promise<void> = prior.restore;
    expect([trainStep, lossParts, save, restore].every((f) => typeof f === 'function')).toBe(true);
    expect(model.previews, 'no decoder, no pictures').toBeUndefined();
    prior.dispose();
  });

  it('trains on a TrainBatch as fit hands it: the labels of an unconditioned prior are ignored, options too', () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const twin = createPixelCnn(TINY_CONFIG);
    const maps = randomMaps(2, 5, 6, 4, 3);
    const labels = tf.tensor1d([1, 0], 'int32');
    const [first, second] = [tf.train.sgd(0.1), tf.train.sgd(0.1)];
    const options: TrainStepOptions = { seed: 5, step: 0, beta: 2 };
    const withLabels = prior.trainStep(first, { x: maps, labels } satisfies TrainBatch, options);
    const plain = twin.trainStep(second, { x: maps });
    expect(withLabels.loss.dataSync()[0]).toBe(plain.loss.dataSync()[0]);
    const test = prior.lossParts({ x: maps, labels }, { seed: 1 });
    expect(Object.keys(test)).toEqual(['loss', 'bitsPerDim']);
    expect(() => prior.logits(maps, labels), 'explicit calls still reject labels').toThrow(ValueError);
    tf.dispose([maps, labels, ...Object.values(withLabels), ...Object.values(plain), ...Object.values(test)]);
    first.dispose();
    second.dispose();
    prior.dispose();
    twin.dispose();
  });
});
