// Runs the README snippets (copied verbatim; the last test checks that every line of every README snippet still
// appears here, so the two cannot drift apart).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  bceWithLogits,
  bitsPerDim,
  categoricalLogProb,
  categoricalSample,
  createRng,
  elbo,
  gaussianSample,
  iwaeBound,
  klSchedule,
  klStandardNormal,
  stopGradient,
  straightThrough,
} from './index';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('README snippets', () => {
  it('one β-VAE loss evaluation', async () => {
    await expectNoLeak(() => {
      const rng = createRng(42); // every random op takes a seed from it; rng.getState() goes into checkpoints
      const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', rng.nextSeed()); // images in [0, 1]
      const mean = tf.randomNormal([8, 16], 0, 1, 'float32', rng.nextSeed()); // encoder outputs
      const logVar = tf.fill([8, 16], -1);
      const decoder = tf.randomNormal([16, 784], 0, 0.1, 'float32', rng.nextSeed());
      const beta = klSchedule({ kind: 'linear', warmupSteps: 1000 }); // β from 0 to 1 over the first 1000 steps

      const parts = tf.tidy(() => {
        const z = gaussianSample(mean, logVar, rng.nextSeed()); // [8, 16], z = mean + exp(logVar / 2)·ε
        const logits = tf.reshape(tf.matMul(z, decoder), [8, 28, 28, 1]);
        const reconstruction = bceWithLogits(x, logits); // [8], nats summed over pixels
        const kl = klStandardNormal(mean, logVar); // [8], closed form
        return elbo(reconstruction, kl, { beta: beta(500) }); // β = 0.5
      });
      parts.loss; // scalar: mean(reconstruction + β·kl), the value to minimise
      parts.reconstruction; // scalar: mean reconstruction NLL
      parts.kl; // scalar: mean KL, before β
      parts.perExample; // [8]

      expect(parts.loss.shape).toEqual([]);
      expect(parts.perExample.shape).toEqual([8]);
      expect(beta(500)).toBe(0.5);
      const read = (t: tf.Tensor) => t.dataSync()[0] as number;
      const [loss, reconstruction, kl] = [read(parts.loss), read(parts.reconstruction), read(parts.kl)];
      expectClose([loss], [reconstruction + 0.5 * kl], 1e-5);
      // KL per example = ½ Σ (e^−1 + mean² − 1 + 1) over 16 dims; its batch mean from the actual means:
      const meanSquares = Array.from(mean.dataSync()).reduce((sum, m) => sum + m * m, 0) / 8;
      expectClose([kl], [0.5 * (16 * Math.exp(-1) + meanSquares)], 1e-5);
      expect(reconstruction).toBeGreaterThan(784 * 0.5); // ≈ 784·log 2 for logits near 0
      expect(rng.getState()).toEqual({ seed: 42, counter: 4 });
      tf.dispose([x, mean, logVar, decoder, parts]);
    });
  });

  it('IWAE in nats and bits per dimension', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await expectNoLeak(() => {
      const logWeights = tf.tensor2d([[-90], [-88], [-89.5]]); // [k = 3, batch = 1]
      const logLikelihood = iwaeBound(logWeights); // [1]: log mean exp = −88.79 nats (log-sum-exp, no underflow)
      const nats = -logLikelihood.dataSync()[0]!;
      console.log(bitsPerDim(nats, 784)); // 0.1634 bits per pixel for a 28×28 image
      logLikelihood.dispose();

      expectClose([nats], [88.79225657643896], 1e-6);
      expect(Number(log.mock.calls[0]![0]).toFixed(4)).toBe('0.1634');
      logWeights.dispose();
    });
    log.mockRestore();
  });

  it('stop-gradient and straight-through', async () => {
    await expectNoLeak(() => {
      const zE = tf.tensor2d([[0.2, 0.9]]); // encoder output
      const zQ = tf.tensor2d([[0, 1]]); // nearest codebook vector
      const zST = straightThrough(zE, zQ); // forward zQ; backward dy flows to zE unchanged, nothing to zQ
      const codebookLoss = tf.tidy(() => tf.sum(tf.square(tf.sub(stopGradient(zE), zQ)))); // none to the encoder

      expect(Array.from(zST.dataSync())).toEqual([0, 1]);
      expectClose(codebookLoss.dataSync(), [0.04 + 0.01]);
      const [toEncoder, toCodebook] = tf.grads((e: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.square(tf.sub(stopGradient(e), q))),
      )([zE, zQ]);
      expect(Array.from(toEncoder!.dataSync())).toEqual([0, 0]);
      expectClose(toCodebook!.dataSync(), [-0.4, 0.2]); // −2(zE − zQ)
      tf.dispose([zE, zQ, zST, codebookLoss]);
      tf.dispose([toEncoder!, toCodebook!]);
    });
  });

  it('seeded categorical sampling', async () => {
    await expectNoLeak(() => {
      const logits = tf.randomNormal([2, 7, 7, 512], 0, 1, 'float32', 1); // [batch, h, w, K]
      const codes = categoricalSample(logits, { seed: 3, temperature: 0.8 }); // int32 [2, 7, 7]
      const logProb = categoricalLogProb(logits, codes); // float32 [2, 7, 7], each ≤ 0

      expect(codes.shape).toEqual([2, 7, 7]);
      expect(codes.dtype).toBe('int32');
      expect(logProb.shape).toEqual([2, 7, 7]);
      expect(Math.max(...logProb.dataSync())).toBeLessThanOrEqual(0);
      const again = categoricalSample(logits, { seed: 3, temperature: 0.8 });
      expect(Array.from(again.dataSync())).toEqual(Array.from(codes.dataSync()));
      tf.dispose([logits, codes, logProb]);
      again.dispose();
    });
  });
});

describe('README', () => {
  it('has every line of every snippet in this file', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const self = readFileSync(new URL('./readme.test.ts', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks.length).toBe(4);
    const lines = blocks.flatMap((block) => block.split('\n').map((line) => line.trim()));
    const missing = lines.filter((line) => line !== '' && !line.startsWith('import ') && !self.includes(line));
    expect(missing).toEqual([]);
  });
});
