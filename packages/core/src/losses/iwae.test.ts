import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { gaussianLogDensity, gaussianSample, standardNormalLogDensity } from '../distributions/gaussian';
import { bitsPerDim, iwaeBound, logMeanExp } from './iwae';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Linear-Gaussian model p(z) = N(0, 1), p(x|z) = N(z, σ²), so log p(x) = log N(x; 0, 1 + σ²) exactly.
 * Returns log weights [k, replications] for a proposal q(z) = N(qMean, exp(qLogVar)).
 */
function logWeights(
  x: number,
  sigma: number,
  qMean: number,
  qLogVar: number,
  k: number,
  replications: number,
  seed: number,
) {
  return tf.tidy(() => {
    const mean = tf.fill([k * replications, 1], qMean);
    const logVar = tf.fill([k * replications, 1], qLogVar);
    const z = gaussianSample(mean, logVar, seed);
    const logLikelihood = gaussianLogDensity(tf.fill([k * replications, 1], x), z, tf.scalar(2 * Math.log(sigma)));
    const logW = tf.sub(tf.add(logLikelihood, standardNormalLogDensity(z)), gaussianLogDensity(z, mean, logVar));
    return tf.reshape(logW, [k, replications]) as tf.Tensor2D;
  });
}

describe('iwaeBound', () => {
  const x = 1;
  const sigma = 0.5;
  const exact = -0.5 * (LOG_2PI + Math.log(1 + sigma ** 2)) - x ** 2 / (2 * (1 + sigma ** 2));

  it('rises with k towards the exact log-likelihood under a poor q', () => {
    // q = the prior N(0, 1): L_1 = ELBO = −½ log 2πσ² − (x² + 1)/(2σ²) in closed form (KL(q‖p) = 0)
    const elbo = -0.5 * (LOG_2PI + Math.log(sigma ** 2)) - (x ** 2 + 1) / (2 * sigma ** 2);
    // replications per k so that each mean's MC sd is ≤ 0.1 (k = 1) and ≤ 0.005 (k ≥ 30); with x = 1, σ = 0.5 the
    // expected bounds are ≈ −4.22, −2.3, −1.46, −1.432 against the exact −1.4305 (checked with numpy).
    const plan: [k: number, replications: number][] = [
      [1, 2000],
      [3, 2000],
      [30, 500],
      [1000, 200],
    ];
    const bounds = plan.map(([k, replications], i) =>
      tf.tidy(() => tf.mean(iwaeBound(logWeights(x, sigma, 0, 0, k, replications, 10 + i))).dataSync()[0]!),
    );
    expect(Math.abs(bounds[0]! - elbo)).toBeLessThan(0.4);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]!).toBeGreaterThan(bounds[i - 1]! + 0.01);
    expect(bounds[3]!).toBeLessThan(exact + 0.01);
    expect(Math.abs(bounds[3]! - exact)).toBeLessThan(0.012);
    expect(exact - elbo).toBeGreaterThan(1); // the ELBO gap the bound closes
  });

  it('is exact for every sample when q is the true posterior', () => {
    tf.tidy(() => {
      const posteriorMean = x / (1 + sigma ** 2);
      const posteriorLogVar = Math.log(sigma ** 2 / (1 + sigma ** 2));
      const bound = iwaeBound(logWeights(x, sigma, posteriorMean, posteriorLogVar, 3, 4, 1));
      expectClose(bound.dataSync(), new Array(4).fill(exact), 1e-5);
    });
  });

  it('converts to bits per dimension', () => {
    expect(bitsPerDim(-exact, 1)).toBeCloseTo(-exact / Math.LN2, 12);
    expect(bitsPerDim(784 * Math.LN2, 784)).toBeCloseTo(1, 12);
    expect(() => bitsPerDim(Number.NaN, 1)).toThrow(/^bitsPerDim: expected nats a finite number, got NaN\.$/);
    expect(() => bitsPerDim(1, 0)).toThrow(/^bitsPerDim: expected dims a positive integer, got 0\.$/);
  });
});

describe('logMeanExp', () => {
  it('is stable for very negative and very large values', () => {
    tf.tidy(() => {
      expectClose(logMeanExp(tf.tensor1d([-1000, -1000])).dataSync(), [-1000]);
      expectClose(logMeanExp(tf.tensor1d([1000, 1000 + Math.log(3)])).dataSync(), [1000 + Math.log(2)], 1e-6);
      const bound = iwaeBound(tf.tensor2d([[-2000], [-2000 + Math.log(3)]]));
      expectClose(bound.dataSync(), [-2000 + Math.log(2)], 1e-6);
    });
  });

  it('reduces the given axis', () => {
    tf.tidy(() => {
      const values = tf.tensor2d([
        [0, Math.log(3)],
        [Math.log(5), Math.log(7)],
      ]);
      expectClose(logMeanExp(values, 1).dataSync(), [Math.log(2), Math.log(6)]);
      expectClose(logMeanExp(values, -1).dataSync(), [Math.log(2), Math.log(6)]);
      expectClose(logMeanExp(values).dataSync(), [Math.log(3), Math.log(5)]);
    });
  });

  it('has softmax weights as gradient', () => {
    tf.tidy(() => {
      const grad = tf.grad((w: tf.Tensor) => tf.sum(iwaeBound(w as tf.Tensor2D)))(tf.tensor2d([[0], [Math.log(3)]]));
      expectClose(grad.dataSync(), [0.25, 0.75]);
    });
  });

  it('does not leak and rejects bad inputs', async () => {
    const w = tf.zeros([3, 2]) as tf.Tensor2D;
    await expectNoLeak(() => iwaeBound(w));
    await expectNoLeak(() => logMeanExp(w, 1));
    const scalar = tf.scalar(1);
    expect(() => logMeanExp(scalar)).toThrow(/^logMeanExp: expected x rank ≥ 1, got rank 0 \(a scalar\)\.$/);
    expect(() => logMeanExp(w, 2)).toThrow(/^logMeanExp: expected axis an integer in \[-2, 1\], got 2\.$/);
    expect(() => iwaeBound(scalar as unknown as tf.Tensor2D)).toThrow(
      /^iwaeBound: expected logWeights rank 2, got rank 0 \(shape \[\]\)\.$/,
    );
    tf.dispose([w, scalar]);
  });
});
