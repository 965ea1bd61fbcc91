import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { nearestCodes } from './nearest-code';
import { createResidualVectorQuantizer } from './residual-vq';
import { ResidualQuantizerLayer } from './residual-vq-layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const read = (t: tf.Tensor) => Array.from(t.dataSync());

/** A built residual layer over [.., 4] vectors, K = 8 codes a level. */
function residualLayer(
  settings: Partial<{ numQuantizers: number; sharedCodebook: boolean; quantizerDropout: boolean }>,
  ema = false,
) {
  const layer = new ResidualQuantizerLayer({
    quantizer: { dim: 4, codebookSize: 8, seed: 3, ema },
    numQuantizers: settings.numQuantizers ?? 2,
    sharedCodebook: settings.sharedCodebook ?? false,
    quantizerDropout: settings.quantizerDropout ?? false,
  });
  const input = tfl.input({ shape: [4] });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  return { quantizer: layer.quantizer, model };
}

describe('residual vector quantisation', () => {
  it('quantises the residual level by level: codes, the sum, and the losses summed over levels', () => {
    const { quantizer, model } = residualLayer({});
    const [first, second] = quantizer.levels;
    const z = tf.randomNormal([20, 4], 0, 1, 'float32', 5);
    const result = quantizer.quantize(z);
    const level0 = nearestCodes(z, first?.codebook as tf.Tensor as tf.Tensor2D);
    const code0 = tf.gather(first?.codebook as tf.Tensor, level0);
    const residual = tf.sub(z, code0);
    const level1 = nearestCodes(residual, second?.codebook as tf.Tensor as tf.Tensor2D);
    const code1 = tf.gather(second?.codebook as tf.Tensor, level1);
    expect(read(result.indices)).toEqual(read(tf.stack([level0, level1], -1)));
    read(result.output).forEach((v, k) => {
      expect(v).toBeCloseTo(read(tf.add(code0, code1))[k] as number, 5);
    });
    const mse = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.squaredDifference(a, b)).dataSync()[0] as number;
    const expectedCommitment = mse(z, code0) + mse(residual, code1);
    expect(result.commitmentLoss.dataSync()[0]).toBeCloseTo(expectedCommitment, 5);
    expect(result.loss.dataSync()[0]).toBeCloseTo(expectedCommitment * 1.25, 5); // codebook + 0.25·commitment
    expect(read(quantizer.encode(z))).toEqual(read(result.indices));
    // a prefix decodes to the first levels' codes only
    expect(read(quantizer.lookup(tf.slice(result.indices, [0, 0], [20, 1])))).toEqual(read(code0));
    expect(() => quantizer.lookup(tf.zeros([2, 3], 'int32'))).toThrow(/\[\.\.\., m\] with 1 ≤ m ≤ 2/);
    model.dispose();
  });

  it('passes the decoder’s gradient to z_e once and trains each level’s codebook on its own residual', () => {
    const { quantizer, model } = residualLayer({});
    const z = tf.randomNormal([12, 4], 0, 1, 'float32', 6);
    const weights = tf.randomNormal([12, 4], 0, 1, 'float32', 7);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(quantizer.quantize(z).output, weights)) as tf.Scalar);
    // the output gives the codebooks nothing: their losses do
    for (const g of Object.values(grads)) expect(read(g).every((v) => v === 0)).toBe(true);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(quantizer.quantize(x).output, weights)))(z);
    expect(read(grad)).toEqual(read(weights));
    const codebookGrads = tf.variableGrads(() => quantizer.quantize(z).codebookLoss);
    expect(Object.keys(codebookGrads.grads).length).toBe(2);
    model.dispose();
  });

  it('with quantizer dropout, trains on a prefix of levels of random length, drawn from the saved stream', () => {
    const { quantizer, model } = residualLayer({ numQuantizers: 3, quantizerDropout: true });
    const z = tf.randomNormal([30, 4], 0, 1, 'float32', 8);
    const state = quantizer.getState();
    const losses = Array.from({ length: 12 }, () => quantizer.quantize(z, { training: true }).loss.dataSync()[0]);
    expect(new Set(losses.map((l) => l?.toFixed(6))).size).toBeGreaterThan(1);
    quantizer.setState(state);
    const again = Array.from({ length: 12 }, () => quantizer.quantize(z, { training: true }).loss.dataSync()[0]);
    expect(again).toEqual(losses);
    const evaluation = quantizer.quantize(z).loss.dataSync()[0] as number; // not training: every level
    expect(Math.max(...(losses as number[]))).toBeCloseTo(evaluation, 5);
    model.dispose();
  });

  it('updates every level’s EMA state on its residual, or one codebook for all levels', () => {
    for (const sharedCodebook of [false, true]) {
      const { quantizer, model } = residualLayer({ sharedCodebook }, true);
      const sets = sharedCodebook ? 1 : 2;
      expect(model.getWeights().length).toBe(3 * sets);
      expect(new Set(quantizer.levels).size).toBe(sets);
      const before = quantizer.levels.map((level) => read(level.codebook));
      const z = tf.randomNormal([40, 4], 0, 1, 'float32', 9);
      const { indices, ...rest } = quantizer.quantize(z);
      tf.dispose(quantizer.update(z, indices));
      quantizer.levels.forEach((level, l) => {
        expect(read(level.codebook)).not.toEqual(before[l]);
      });
      tf.dispose([indices, ...Object.values(rest)]);
      model.dispose();
    }
  });

  it('stands alone: createResidualVectorQuantizer owns one variable set per level and frees them', () => {
    const before = tf.memory().numTensors;
    const rvq = createResidualVectorQuantizer({ dim: 4, codebookSize: 8, numQuantizers: 3, seed: 2 });
    expect(rvq.levels.map((level) => level.codebook.shape)).toEqual([
      [8, 4],
      [8, 4],
      [8, 4],
    ]);
    expect(read(rvq.levels[1]?.codebook as tf.Tensor)).not.toEqual(read(rvq.levels[0]?.codebook as tf.Tensor));
    expect(rvq.trainableVariables.length).toBe(3);
    const z = tf.randomNormal([5, 4]);
    const { indices, ...rest } = rvq.quantize(z);
    expect(indices.shape).toEqual([5, 3]);
    tf.dispose([z, indices, ...Object.values(rest)]);
    rvq.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createResidualVectorQuantizer({ dim: 4, codebookSize: 8, numQuantizers: 0 })).toThrow(
      /^createResidualVectorQuantizer: expected config\.numQuantizers a positive integer/,
    );
  });
});
