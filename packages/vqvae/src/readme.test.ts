// Runs the README snippets (copied; keep them in sync), with assertions on what their comments claim.
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import {
  createCodeUsageAccumulator,
  createVectorQuantizer,
  createVqVae,
  loadVqVae,
  normalizedMse,
  pixelVariance,
  saveVqVae,
} from './index';

describe('README snippets', () => {
  it('quantises with a standalone quantiser', async () => {
    await expectNoLeak(() => {
      const vq = createVectorQuantizer({ dim: 16, codebookSize: 128 }); // beta 0.25, Euclidean, codebook loss
      const zE = tf.randomNormal([8, 7, 7, 16], 0, 1, 'float32', 1); // encoder output
      const { output, indices, quantized, codebookLoss, commitmentLoss, loss, perplexity, usage } = vq.quantize(zE);
      // output: [8, 7, 7, 16] = z_e + sg(z_q − z_e), feed it to the decoder; indices: int32 [8, 7, 7]
      // loss = codebookLoss + 0.25 · commitmentLoss (scalars); perplexity in [1, 128]; usage in [0, 1]
      const codes = vq.lookup(indices); // [8, 7, 7, 16], equal to quantized
      expect(output.shape).toEqual([8, 7, 7, 16]);
      expect([indices.dtype, indices.shape]).toEqual(['int32', [8, 7, 7]]);
      const value = (s: tf.Tensor) => s.dataSync()[0] as number;
      expect(value(loss)).toBeCloseTo(value(codebookLoss) + 0.25 * value(commitmentLoss), 5);
      expect(value(perplexity)).toBeGreaterThanOrEqual(1);
      expect(value(perplexity)).toBeLessThanOrEqual(128);
      expect(Array.from(codes.dataSync())).toEqual(Array.from(quantized.dataSync()));
      tf.dispose([zE, output, indices, quantized, codebookLoss, commitmentLoss, loss, perplexity, usage, codes]);
      vq.dispose();
    });
  });

  it('runs EMA updates, restarts, k-means and the epoch accumulator', async () => {
    await expectNoLeak(async () => {
      const ema = createVectorQuantizer({
        dim: 4,
        codebookSize: 32,
        ema: true,
        decay: 0.99,
        deadCodeThreshold: 1,
        seed: 7,
      });
      const epoch = createCodeUsageAccumulator(32);
      const batch = tf.randomNormal([64, 4], 0, 1, 'float32', 2);
      ema.initialize(batch); // k-means on the first batch (10 Lloyd iterations)
      for (let step = 0; step < 3; step++) {
        const result = ema.quantize(batch); // in a train step: minimise your loss + result.loss
        const { restarted } = ema.update(batch, result.indices); // EMA step, then restart codes whose N < 1
        epoch.add(result.indices);
        tf.dispose([...Object.values(result), restarted]);
      }
      const figures = [await epoch.perplexity(), await epoch.usage(), (await epoch.histogram()).length];
      // README: console.log(...figures) // ≈ 27.2 1 32
      expect(figures[0]).toBeCloseTo(27.2, 1);
      expect(figures.slice(1)).toEqual([1, 32]);
      epoch.dispose();
      ema.dispose();
      batch.dispose();
    });
  });

  it('trains, encodes, decodes, saves and loads the Keras example VQ-VAE', async () => {
    await expectNoLeak(async () => {
      const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 3); // a batch of images
      const variance = pixelVariance(x); // use the training set's variance (MNIST ≈ 0.095)
      const vqvae = createVqVae({
        inputShape: [16, 16, 1], // the sizes are required (the Keras example: [28, 28, 1], dim 16, codebookSize 128)
        dim: 8,
        codebookSize: 32,
        encoderFilters: [8, 16],
        dataVariance: variance.dataSync()[0],
        quantizer: { ema: true },
      });
      const optimizer = tf.train.adam(2e-4);
      const parts = vqvae.trainStep(optimizer, { x });
      // { loss, reconstruction, reconstructionMse, codebook, commitment, perplexity, usage, restarted }: scalars
      expect(Object.keys(parts).sort()).toEqual(
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
      tf.dispose(Object.values(parts));

      const codeMap = vqvae.encode(x); // int32 [4, 4, 4]
      const decoded = vqvae.decode(codeMap); // [4, 16, 16, 1]
      const score = normalizedMse(x, decoded, variance); // scalar: the Keras example's "MSE over data variance"
      expect([codeMap.dtype, codeMap.shape, decoded.shape]).toEqual(['int32', [4, 4, 4], [4, 16, 16, 1]]);
      expect(score.shape).toEqual([]);

      const artifacts: Record<string, tf.io.ModelArtifacts> = {};
      const manifest = await saveVqVae(vqvae, (part) =>
        tf.io.withSaveHandler(async (saved) => {
          artifacts[part] = saved;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      ); // { format: 'vaejs-vqvae', version: 1, config, parts: ['encoder', 'quantizer', 'decoder'], ... }
      const loaded = await loadVqVae(manifest, (part) => tf.io.fromMemory(artifacts[part]!)); // or a model.json URL
      const again = loaded.decode(codeMap); // bit-identical to `decoded`
      expect(manifest.parts).toEqual(['encoder', 'quantizer', 'decoder']);
      expect(Array.from(again.dataSync())).toEqual(Array.from(decoded.dataSync()));
      tf.dispose([x, variance, codeMap, decoded, score, again]);
      for (const owner of [vqvae, loaded, optimizer]) owner.dispose();
    });
  });
});
