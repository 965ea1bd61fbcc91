// Runs the README snippets (copied; keep them in sync), with assertions on what their comments claim.
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { createVae, experimental_vaeFlops, loadVae, saveVae } from './index';

describe('README snippets', () => {
  it('trains and uses the PyTorch examples/vae model', async () => {
    await expectNoLeak(() => {
      const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
      const optimizer = tf.train.adam(1e-3);
      const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1); // a batch: float32 [8, 28, 28, 1] in [0, 1]

      const parts = vae.trainStep(optimizer, { x }, { seed: 1 }); // { loss, reconstruction, kl }: float32 scalars
      const loss = parts.loss.dataSync()[0] as number; // ≈ 543: nats per image, BCE summed over 784 pixels + KL
      expect(loss).toBeGreaterThan(500);
      expect(loss).toBeLessThan(600);
      tf.dispose(Object.values(parts)); // the caller owns what a step returns

      const { mean, logVar } = vae.encode(x); // [8, 20], [8, 20]
      const z = vae.sampleZ(mean, logVar!, 7); // [8, 20], seeded
      const images = vae.decode(z); // [8, 28, 28, 1], Bernoulli means (sigmoid of the decoder's logits)
      const samples = vae.generate(16, { seed: 3 }); // [16, 28, 28, 1], decoded z ~ N(0, I)
      const [first, second] = [tf.slice(x, 0, 1), tf.slice(x, 1, 1)];
      const path = vae.interpolate(first, second, 10); // [10, 28, 28, 1]
      const manifold = vae.latentGrid(15); // [225, 28, 28, 1], dims 0 and 1 over Φ⁻¹(0.05 … 0.95)
      expect([mean.shape, logVar?.shape, z.shape]).toEqual([
        [8, 20],
        [8, 20],
        [8, 20],
      ]);
      expect([images.shape, samples.shape, path.shape, manifold.shape]).toEqual([
        [8, 28, 28, 1],
        [16, 28, 28, 1],
        [10, 28, 28, 1],
        [225, 28, 28, 1],
      ]);
      tf.dispose([x, mean, logVar!, z, images, samples, first, second, path, manifold]);
      vae.dispose();
      optimizer.dispose();
    });
  });

  it('trains, samples and scores a conditional conv VAE', async () => {
    await expectNoLeak(async () => {
      const cvae = createVae({ inputShape: [12, 10, 3], latentDim: 8, kind: 'cvae', numClasses: 10 });
      const x = tf.randomUniform([4, 12, 10, 3], 0, 1, 'float32', 2);
      const labels = tf.tensor1d([3, 1, 4, 1], 'int32');
      const optimizer = tf.train.adam(1e-3);
      const parts = cvae.trainStep(optimizer, { x, labels }, { seed: 1 });
      tf.dispose(Object.values(parts));

      const sevens = cvae.generate(4, { seed: 5, labels: 7 }); // [4, 12, 10, 3], all of class 7
      expect(sevens.shape).toEqual([4, 12, 10, 3]);
      const result = await cvae.evaluate(x, { labels, iwaeK: 20, seed: 0 });
      expect(Object.keys(result).sort()).toEqual(
        ['examples', 'loss', 'reconstruction', 'kl', 'negativeElbo', 'iwaeNats', 'bitsPerDim'].sort(),
      );
      expect(result.examples).toBe(4);
      // untrained, q(z|x) is still the prior and the two agree (≈ 249 nats); trained, iwaeNats < negativeElbo
      expect(Math.abs((result.iwaeNats as number) - result.negativeElbo)).toBeLessThan(0.5);
      expect(Math.abs(result.negativeElbo - 249)).toBeLessThan(5);
      tf.dispose([x, labels, sevens]);
      cvae.dispose();
      optimizer.dispose();
    });
  });

  it('saves and loads through IO handlers', async () => {
    await expectNoLeak(async () => {
      const store = new Map<string, tf.io.ModelArtifacts>();
      const ae = createVae({ inputShape: [28, 28, 1], latentDim: 16, kind: 'dae', likelihood: 'gaussian-learned' });
      const manifest = await saveVae(ae, (part) =>
        tf.io.withSaveHandler(async (artifacts) => {
          store.set(part, artifacts);
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      expect([manifest.format, manifest.version, manifest.parts]).toEqual(['vaejs-vae', 1, ['encoder', 'decoder']]);
      const loaded = await loadVae(manifest, (part) => tf.io.fromMemory(store.get(part)!));
      expect(loaded.config).toEqual(ae.config);
      ae.dispose();
      loaded.dispose();
    });
  });

  it('states the FLOPs and parameter counts of the table', () => {
    const mlp = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
    const conv = createVae({ inputShape: [28, 28, 1], latentDim: 20 });
    const megaFlops = (vae: typeof mlp) =>
      Object.values(experimental_vaeFlops(vae)).map((flops) => Number((flops / 1e6).toFixed(2)));
    expect(megaFlops(mlp)).toEqual([0.66, 0.64, 1.3]);
    expect(megaFlops(conv)).toEqual([5.04, 5.03, 10.07]);
    expect(Math.round((mlp.encoder.countParams() + mlp.decoder.countParams()) / 1e3)).toBe(653);
    expect(Number(((conv.encoder.countParams() + conv.decoder.countParams()) / 1e6).toFixed(2))).toBe(1.69);
    mlp.dispose();
    conv.dispose();
  });
});
