import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import {
  gaussianLogDensity,
  gaussianSample,
  klGaussians,
  klPerDimension,
  klStandardNormal,
  standardNormalLogDensity,
} from './gaussian';

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, mean: number, logVar: number) =>
  -0.5 * (LOG_2PI + logVar + (x - mean) ** 2 / Math.exp(logVar));

describe('gaussianSample', () => {
  it('is reproducible with a seed and has the right moments', () => {
    tf.tidy(() => {
      const n = 20000;
      const mean = tf.fill([n, 2], 1.5);
      const logVar = tf.concat([tf.fill([n, 1], Math.log(4)), tf.fill([n, 1], Math.log(0.25))], 1);
      const a = gaussianSample(mean, logVar, 11);
      const b = gaussianSample(mean, logVar, 11);
      const c = gaussianSample(mean, logVar, 12);
      expect(a.shape).toEqual([n, 2]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
      const { mean: m, variance: v } = tf.moments(a, 0);
      // standard errors: sd/sqrt(n) ≈ 0.014 and 0.0035 for the means
      expectClose(m.dataSync(), [1.5, 1.5], 0.03);
      expectClose(v.dataSync(), [4, 0.25], 0.05);
    });
  });

  it('passes gradients to mean (1) and logVar (½·ε·σ)', () => {
    tf.tidy(() => {
      const mean = tf.tensor2d([[0.3, -0.2]]);
      const logVar = tf.tensor2d([[0.4, -1]]);
      const [gMean, gLogVar] = tf.grads((m: tf.Tensor, lv: tf.Tensor) => tf.sum(gaussianSample(m, lv, 5)))([
        mean,
        logVar,
      ]);
      const z = gaussianSample(mean, logVar, 5).dataSync();
      const m = mean.dataSync();
      expectClose(gMean!.dataSync(), [1, 1]);
      // dz/dlogVar = ½ (z − mean)
      expectClose(gLogVar!.dataSync(), [0.5 * (z[0]! - m[0]!), 0.5 * (z[1]! - m[1]!)], 1e-5);
    });
  });

  it('rejects bad inputs', () => {
    const mean = tf.zeros([2, 3]);
    const logVar = tf.zeros([2, 4]);
    const scalar = tf.scalar(0);
    expect(() => gaussianSample(mean, logVar)).toThrow(
      /^gaussianSample: expected logVar the shape of mean \[2,3\], got shape \[2,4\]\.$/,
    );
    expect(() => gaussianSample(scalar, scalar)).toThrow(
      /^gaussianSample: expected mean rank ≥ 1 \(batch axis first\), got rank 0 \(a scalar\)\.$/,
    );
    expect(() => gaussianSample(mean, mean, Number.NaN)).toThrow(
      /^gaussianSample: expected seed a finite number or undefined, got NaN\.$/,
    );
    tf.dispose([mean, logVar, scalar]);
  });
});

describe('gaussianLogDensity and standardNormalLogDensity', () => {
  it('match the closed form summed per example', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [0.5, -1],
        [2, 0],
      ]);
      const mean = tf.tensor2d([
        [0, 1],
        [1.5, -0.5],
      ]);
      const logVar = tf.tensor2d([
        [0, 0.7],
        [-1, 2],
      ]);
      const density = gaussianLogDensity(x, mean, logVar);
      const standard = standardNormalLogDensity(x);
      expect(density.shape).toEqual([2]);
      expectClose(density.dataSync(), [
        logNormal(0.5, 0, 0) + logNormal(-1, 1, 0.7),
        logNormal(2, 1.5, -1) + logNormal(0, -0.5, 2),
      ]);
      expectClose(standard.dataSync(), [
        logNormal(0.5, 0, 0) + logNormal(-1, 0, 0),
        logNormal(2, 0, 0) + logNormal(0, 0, 0),
      ]);
    });
  });

  it('broadcasts a scalar logVar and sums rank-4 inputs', () => {
    tf.tidy(() => {
      const x = tf.ones([3, 2, 2, 1]);
      const mean = tf.zeros([3, 2, 2, 1]);
      const logVar = tf.scalar(Math.log(2));
      const density = gaussianLogDensity(x, mean, logVar);
      expectClose(density.dataSync(), new Array(3).fill(4 * logNormal(1, 0, Math.log(2))));
    });
  });

  it('has the analytic gradient with respect to the mean', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2]]);
      const mean = tf.tensor2d([[0, 0.5]]);
      const logVar = tf.tensor2d([[0, Math.log(3)]]);
      const grad = tf.grad((m: tf.Tensor) => tf.sum(gaussianLogDensity(x, m, logVar)))(mean);
      expectClose(grad.dataSync(), [1, 0.5]); // (x − mean)/σ²
    });
  });

  it('rejects bad inputs', () => {
    const x = tf.zeros([2, 3]);
    const logVar = tf.zeros([3, 3]);
    const ints = tf.zeros([2, 3], 'int32');
    expect(() => gaussianLogDensity(x, x, logVar)).toThrow(
      /^gaussianLogDensity: expected logVar a shape that broadcasts to \[2,3\], got shape \[3,3\]\.$/,
    );
    expect(() => gaussianLogDensity(x, ints, x)).toThrow(
      /^gaussianLogDensity: expected mean dtype float32, got dtype int32\.$/,
    );
    expect(() => standardNormalLogDensity(ints)).toThrow(
      /^standardNormalLogDensity: expected x dtype float32, got dtype int32\.$/,
    );
    tf.dispose([x, logVar, ints]);
  });
});

describe('klStandardNormal, klPerDimension, klGaussians', () => {
  it('match the closed form', () => {
    tf.tidy(() => {
      const mean = tf.tensor2d([
        [0, 1],
        [-2, 0.5],
      ]);
      const logVar = tf.tensor2d([
        [0, Math.log(2)],
        [-1, 1],
      ]);
      const kl1 = (m: number, lv: number) => 0.5 * (Math.exp(lv) + m * m - 1 - lv);
      const perDim = klPerDimension(mean as tf.Tensor2D, logVar as tf.Tensor2D);
      const total = klStandardNormal(mean, logVar);
      const zeroPrior = tf.zeros([2]);
      const general = klGaussians(mean, logVar, zeroPrior, zeroPrior);
      const expected = [kl1(0, 0), kl1(1, Math.log(2)), kl1(-2, -1), kl1(0.5, 1)];
      expect(perDim.shape).toEqual([2, 2]);
      expectClose(perDim.dataSync(), expected);
      expectClose(total.dataSync(), [expected[0]! + expected[1]!, expected[2]! + expected[3]!]);
      expectClose(general.dataSync(), total.dataSync());
    });
  });

  it('klGaussians matches a Monte Carlo estimate with 20k samples', () => {
    tf.tidy(() => {
      const n = 20000;
      const [mq, lvq, mp, lvp] = [0.7, Math.log(0.5), -0.3, Math.log(2)];
      const meanQ = tf.fill([n, 1], mq);
      const logVarQ = tf.fill([n, 1], lvq);
      const meanP = tf.tensor1d([mp]);
      const logVarP = tf.tensor1d([lvp]);
      const z = gaussianSample(meanQ, logVarQ, 3);
      const logRatio = tf.sub(
        gaussianLogDensity(z, meanQ, logVarQ),
        gaussianLogDensity(z, tf.tile(tf.reshape(meanP, [1, 1]), [n, 1]), logVarP),
      );
      const estimate = tf.mean(logRatio).dataSync()[0]!;
      const exact = klGaussians(tf.slice(meanQ, [0, 0], [1, 1]), tf.slice(logVarQ, [0, 0], [1, 1]), meanP, logVarP);
      const closed = 0.5 * (lvp - lvq + (Math.exp(lvq) + (mq - mp) ** 2) / Math.exp(lvp) - 1);
      expectClose(exact.dataSync(), [closed]);
      // sd of the log-ratio here is ≈ 0.6, so the MC standard error is ≈ 0.004
      expect(Math.abs(estimate - closed)).toBeLessThan(0.02);
    });
  });

  it('klStandardNormal gives the gradients of autodiff through the closed form, with per-example weights', () => {
    tf.tidy(() => {
      const mean = tf.randomNormal([5, 7], 0, 2, 'float32', 1);
      const logVar = tf.randomNormal([5, 7], 0, 2, 'float32', 2);
      const weights = tf.randomNormal([5], 0, 1, 'float32', 3);
      const formula = (m: tf.Tensor, lv: tf.Tensor) =>
        tf.sum(tf.mul(tf.sub(tf.add(tf.exp(lv), tf.square(m)), tf.add(lv, 1)), 0.5), 1);
      const weighted = (kl: (m: tf.Tensor, lv: tf.Tensor) => tf.Tensor) => (m: tf.Tensor, lv: tf.Tensor) =>
        tf.sum(tf.mul(kl(m, lv), weights));
      const [dmFormula, dlvFormula] = tf.grads(weighted(formula))([mean, logVar]);
      const [dm, dlv] = tf.grads(weighted(klStandardNormal))([mean, logVar]);
      expectClose(dm!.dataSync(), dmFormula!.dataSync(), 1e-5);
      expectClose(dlv!.dataSync(), dlvFormula!.dataSync(), 1e-5);
    });
  });

  it('klStandardNormal matches a 20k-sample Monte Carlo estimate', () => {
    tf.tidy(() => {
      const n = 20000;
      const mean = tf.tile(tf.tensor2d([[1, -0.5]]), [n, 1]);
      const logVar = tf.tile(tf.tensor2d([[Math.log(0.3), Math.log(1.8)]]), [n, 1]);
      const z = gaussianSample(mean, logVar, 9);
      const estimate = tf.mean(tf.sub(gaussianLogDensity(z, mean, logVar), standardNormalLogDensity(z))).dataSync()[0]!;
      const exact = klStandardNormal(tf.slice(mean, [0, 0], [1, 2]), tf.slice(logVar, [0, 0], [1, 2]));
      expect(Math.abs(estimate - exact.dataSync()[0]!)).toBeLessThan(0.03);
    });
  });

  it('is zero for q = p and has the analytic gradients', () => {
    tf.tidy(() => {
      const mean = tf.tensor2d([[0.5, -1]]);
      const logVar = tf.tensor2d([[0.3, -0.2]]);
      const same = klGaussians(mean, logVar, mean, logVar);
      expectClose(same.dataSync(), [0], 1e-6);
      const [gMean, gLogVar] = tf.grads((m: tf.Tensor, lv: tf.Tensor) => tf.sum(klStandardNormal(m, lv)))([
        mean,
        logVar,
      ]);
      expectClose(gMean!.dataSync(), [0.5, -1]); // d/dm = m
      expectClose(gLogVar!.dataSync(), [0.5 * (Math.exp(0.3) - 1), 0.5 * (Math.exp(-0.2) - 1)]); // ½(e^lv − 1)
    });
  });

  it('rejects bad inputs', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 2]);
    const r3 = tf.zeros([2, 3, 1]);
    expect(() => klStandardNormal(a, b)).toThrow(
      /^klStandardNormal: expected logVar the shape of mean \[2,3\], got shape \[2,2\]\.$/,
    );
    expect(() => klPerDimension(r3 as unknown as tf.Tensor2D, r3 as unknown as tf.Tensor2D)).toThrow(
      /^klPerDimension: expected mean rank 2, got rank 3 \(shape \[2,3,1\]\)\.$/,
    );
    expect(() => klGaussians(a, a, b, a)).toThrow(
      /^klGaussians: expected meanP a shape that broadcasts to \[2,3\], got shape \[2,2\]\.$/,
    );
    expect(() => klGaussians(a, a, a, r3)).toThrow(
      /^klGaussians: expected logVarP a shape that broadcasts to \[2,3\], got shape \[2,3,1\]\.$/,
    );
    tf.dispose([a, b, r3]);
  });
});

describe('memory', () => {
  it('no Gaussian function leaks tensors', async () => {
    const mean = tf.tensor2d([[0.1, 0.2]]);
    const logVar = tf.tensor2d([[0.3, -0.4]]);
    await expectNoLeak(() => gaussianSample(mean, logVar, 1));
    await expectNoLeak(() => gaussianLogDensity(mean, mean, logVar));
    await expectNoLeak(() => standardNormalLogDensity(mean));
    await expectNoLeak(() => klStandardNormal(mean, logVar));
    await expectNoLeak(() => klPerDimension(mean, logVar));
    await expectNoLeak(() => klGaussians(mean, logVar, mean, logVar));
    await expectNoLeak(() =>
      tf.grads((m: tf.Tensor, lv: tf.Tensor) => tf.sum(klStandardNormal(m, lv)))([mean, logVar]),
    );
    tf.dispose([mean, logVar]);
  });
});
