import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, createRng } from '@vaejs/core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureImages } from './__fixtures__/images';
import type { VaeConfig } from './config';
import { VAE_SCORES, vaeScores } from './evaluate';
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

const small: VaeConfig = { inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [8], seed: 1 };

describe('vae.evaluate', () => {
  const binary = fixtureImages(6, [4, 4, 1], 21, true);
  afterAll(() => binary.dispose());

  it('gives the loss lossParts gives for the same seed, and bits/dim from the IWAE nats', async () => {
    const vae = make(small);
    const result = await vae.evaluate(binary, { seed: 5, iwaeK: 8 });
    const parts = vae.lossParts({ x: binary }, { seed: createRng(5).nextSeed() });
    const [loss, reconstruction, kl] = [parts.loss, parts.reconstruction, parts.kl].map(
      (t) => t.dataSync()[0] as number,
    );
    tf.dispose(Object.values(parts));
    expect(result.examples).toBe(6);
    expectClose(
      [result.loss, result.reconstruction, result.kl],
      [loss as number, reconstruction as number, kl as number],
      1e-5,
    );
    expectClose([result.negativeElbo], [(reconstruction as number) + (kl as number)], 1e-5);
    expectClose([result.bitsPerDim], [(result.iwaeNats as number) / (16 * Math.LN2)], 1e-9);
  });

  it('IWAE with k samples bounds the likelihood more tightly than the ELBO: iwaeNats < negativeElbo', async () => {
    const vae = make(small);
    const elboOnly = await vae.evaluate(binary, { seed: 1 });
    expect(elboOnly.iwaeNats).toBeNull();
    const result = await vae.evaluate(binary, { seed: 1, iwaeK: 64, batchSize: 4 });
    expect(result.iwaeNats as number).toBeLessThan(result.negativeElbo);
    // and more samples tighten it further (on average over the same examples)
    const fewer = await vae.evaluate(binary, { seed: 2, iwaeK: 2 });
    expect(result.iwaeNats as number).toBeLessThan(fewer.iwaeNats as number);
  });

  for (const likelihood of ['bernoulli', 'gaussian', 'gaussian-learned'] as const) {
    it(`IWAE with k = 1 equals the ELBO in expectation (${likelihood})`, async () => {
      const vae = make({ ...small, likelihood });
      // 4 distinct images, each repeated 250 times: both estimates average 1000 single-sample terms
      const four = tf.tidy(
        () => tf.tile(fixtureImages(4, [4, 4, 1], 3, likelihood === 'bernoulli'), [250, 1, 1, 1]) as tf.Tensor4D,
      );
      const result = await vae.evaluate(four, { seed: 3, iwaeK: 1, batchSize: 500 });
      four.dispose();
      // the two differ only in Monte Carlo noise (sampled vs closed-form KL, independent samples)
      expect(Math.abs((result.iwaeNats as number) - result.negativeElbo)).toBeLessThan(0.01 * result.negativeElbo);
      const many = await vae.evaluate(binary, { seed: 3, iwaeK: 1 });
      expect(many.iwaeNats).not.toBeNull();
    });
  }

  it('adds ½·D·log π to the Gaussian reconstruction to report true nats', async () => {
    const vae = make({ ...small, likelihood: 'gaussian' });
    const x = fixtureImages(4, [4, 4, 1], 9);
    const result = await vae.evaluate(x, { seed: 0 });
    expectClose([result.negativeElbo], [result.reconstruction + result.kl + 8 * Math.log(Math.PI)], 1e-6);
    x.dispose();
  });

  it('does not depend on the batch size for a deterministic autoencoder', async () => {
    const vae = make({ ...small, kind: 'ae' });
    const whole = await vae.evaluate(binary, { batchSize: 100 });
    const pieces = await vae.evaluate(binary, { batchSize: 4 });
    expectClose([pieces.loss, pieces.reconstruction, pieces.kl], [whole.loss, whole.reconstruction, 0], 1e-6);
    expect(whole.iwaeNats).toBeNull();
  });

  it('is reproducible from the seed and leaks nothing', async () => {
    const vae = make({ ...small, kind: 'cvae', numClasses: 3 });
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const a = await vae.evaluate(binary, { labels, seed: 4, iwaeK: 5, batchSize: 4 });
    const b = await vae.evaluate(binary, { labels, seed: 4, iwaeK: 5, batchSize: 4 });
    expect(a).toEqual(b);
    await expectNoLeak(() => vae.evaluate(binary, { labels, seed: 4, iwaeK: 5, batchSize: 4 }));
    labels.dispose();
  });

  it('rejects bad options and inputs', async () => {
    const ae = make({ ...small, kind: 'ae' });
    const vae = make(small);
    await expect(ae.evaluate(binary, { iwaeK: 5 })).rejects.toThrow(
      /^vae\.evaluate: expected options\.iwaeK 0 for config\.kind 'ae' \(no posterior\), got 5\.$/,
    );
    await expect(ae.evaluate(binary, { iwaeK: 5 })).rejects.toThrow(ConfigError);
    await expect(vae.evaluate(binary, { iwaeK: -1 })).rejects.toThrow(
      /^vae\.evaluate: expected options\.iwaeK an integer ≥ 0, got -1\.$/,
    );
    await expect(vae.evaluate(binary, { batchSize: 0 })).rejects.toThrow(
      /^vae\.evaluate: expected options\.batchSize a positive integer, got 0\.$/,
    );
    const scaled = tf.mul(binary, 255) as tf.Tensor4D;
    await expect(vae.evaluate(scaled)).rejects.toThrow(
      /^vae\.evaluate: expected x values in \[0, 1\], got values in \[0, 255\]\.$/,
    );
    scaled.dispose();
    const wrong = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    await expect(vae.evaluate(wrong)).rejects.toThrow(
      /^vae\.evaluate: expected batch\.x shape \[\?,4,4,1\] \(config\.inputShape\), got shape \[2,4,4,3\]\.$/,
    );
    wrong.dispose();
  });
});

describe('vaeScores', () => {
  it('names an evaluation as VAE_SCORES does, in its order', () => {
    const evaluation = {
      examples: 4,
      loss: 3,
      reconstruction: 2,
      kl: 1,
      negativeElbo: 3,
      iwaeNats: null,
      bitsPerDim: 0.5,
    };
    const scores = vaeScores(evaluation);
    expect(Object.keys(scores)).toEqual(VAE_SCORES.map(([name]) => name));
    expect(scores).toMatchObject({ negative_elbo: 3, iwae_nll: null, bits_per_dim: 0.5 });
  });
});
