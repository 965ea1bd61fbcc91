import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore, read } from './__fixtures__/memory-store';
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

const TINY: VqVaeConfig = {
  inputShape: [8, 8, 1],
  dim: 4,
  codebookSize: 8,
  encoderFilters: [4, 6],
  seed: 1,
  quantizer: { deadCodeThreshold: 0.5, kmeansInit: true, kmeansIterations: 3 },
};
const images = (n: number, seed: number) => tf.randomUniform([n, 8, 8, 1], 0, 1, 'float32', seed);
const snapshot = (vqvae: VqVae) =>
  [vqvae.encoder, vqvae.quantizerModel, vqvae.decoder].flatMap((m) => m.getWeights().map((w) => read(w.clone())));

/** A model trained a few steps (k-means done, codes restarted, EMA state moved when `ema`), and its checkpoint. */
async function trainedCheckpoint(config: VqVaeConfig) {
  const original = model(config);
  const optimizer = tf.train.adam(0.01);
  const x = images(4, 2);
  for (let step = 0; step < 4; step++) tf.dispose(Object.values(original.trainStep(optimizer, { x })));
  optimizer.dispose();
  x.dispose();
  const store = memoryStore();
  const manifest = JSON.parse(JSON.stringify(await original.save(store.save)));
  return { original, store, manifest };
}

describe('vqvae.restore', () => {
  it.each([false, true])(
    'restores weights and quantiser state bit for bit into a model of another seed (ema %s)',
    async (ema) => {
      const config = { ...TINY, quantizer: { ...TINY.quantizer, ema } };
      const { original, store, manifest } = await trainedCheckpoint(config);
      expect(manifest.initialized).toBe(true);
      expect(manifest.rngState.counter).toBeGreaterThan(0); // k-means and restarts drew from the stream
      const fresh = model({ ...config, seed: 7 });
      const x = images(3, 3);
      expect(read(fresh.reconstruct(x))).not.toEqual(read(original.reconstruct(x)));

      await fresh.restore(manifest, store.load);

      expect(snapshot(fresh)).toEqual(snapshot(original));
      expect(fresh.quantizer.getState()).toEqual(original.quantizer.getState());
      expect(read(fresh.encode(x))).toEqual(read(original.encode(x)));
      const codes = original.encode(x);
      expect(read(fresh.decode(codes))).toEqual(read(original.decode(codes)));
      // The next steps match too: same EMA state, restarts from the same stream, no second k-means.
      for (let step = 0; step < 2; step++) {
        const [a, b] = [tf.train.sgd(0.05), tf.train.sgd(0.05)];
        const expected = original.trainStep(a, { x });
        const actual = fresh.trainStep(b, { x });
        for (const name of Object.keys(expected) as (keyof typeof expected)[]) {
          expect(read(actual[name]), name).toEqual(read(expected[name]));
        }
        a.dispose();
        b.dispose();
      }
      expect(snapshot(fresh)).toEqual(snapshot(original));
      expect(fresh.quantizer.getRngState()).toEqual(original.quantizer.getRngState());
      tf.dispose([x, codes]);
    },
  );

  it('leaves no tensors behind', async () => {
    const config = { ...TINY, quantizer: { ...TINY.quantizer, ema: true } };
    const { store, manifest } = await trainedCheckpoint(config);
    const fresh = model(config);
    await fresh.restore(manifest, store.load); // warm up (first-use kernels)
    const before = tf.memory().numTensors;
    await fresh.restore(manifest, store.load);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the first config field that differs', async () => {
    const { store, manifest } = await trainedCheckpoint(TINY);
    await expect(model({ ...TINY, dim: 5 }).restore(manifest, store.load)).rejects.toThrow(
      /^vqvae\.restore: expected manifest\.config\.dim 5 \(this model's config\), got 4\.$/,
    );
    await expect(model({ ...TINY, encoderFilters: [4, 8] }).restore(manifest, store.load)).rejects.toThrow(
      /^vqvae\.restore: expected manifest\.config\.encoderFilters \[4,8\] \(this model's config\), got \[4,6\]\.$/,
    );
    const ema = model({ ...TINY, quantizer: { ...TINY.quantizer, ema: true } });
    await expect(ema.restore(manifest, store.load)).rejects.toThrow(
      /^vqvae\.restore: expected manifest\.config\.quantizer\.ema true \(this model's config\), got false\.$/,
    );
    await expect(model({ ...TINY, outputActivation: 'linear' }).restore(manifest, store.load)).rejects.toThrow(
      /^vqvae\.restore: expected manifest\.config\.outputActivation 'linear' \(this model's config\), got 'sigmoid'\.$/,
    );
  });

  it('checks format, version, parts and state before reading any part', async () => {
    const { store, manifest } = await trainedCheckpoint(TINY);
    const fresh = model(TINY);
    const cases: [unknown, RegExp][] = [
      [[], /^vqvae\.restore: expected manifest an object, got an array of 0\.$/],
      [
        { ...manifest, format: 'vaejs-vae' },
        /^vqvae\.restore: expected manifest\.format 'vaejs-vqvae', got 'vaejs-vae'\.$/,
      ],
      [{ ...manifest, version: 3 }, /^vqvae\.restore: expected manifest\.version 1, got 3\.$/],
      [
        { ...manifest, parts: ['encoder', 'decoder'] },
        /^vqvae\.restore: expected manifest\.parts to include 'encoder', 'quantizer', 'decoder', got \[.*\]\.$/,
      ],
      [{ ...manifest, initialized: 'yes' }, /^vqvae\.restore: expected manifest\.initialized a boolean, got 'yes'\.$/],
      [
        { ...manifest, rngState: { seed: 1 } },
        /^vqvae\.restore: invalid manifest\.rngState: rng\.setState: expected state \{ seed: integer, counter: integer ≥ 0 \}/,
      ],
    ];
    let reads = 0;
    const counting = (part: string) => {
      reads++;
      return store.load(part);
    };
    for (const [candidate, message] of cases) {
      await expect(fresh.restore(candidate, counting)).rejects.toThrow(message);
    }
    expect(reads).toBe(0);
    await expect(fresh.restore(manifest, 'folder' as never)).rejects.toThrow(
      /^vqvae\.restore: expected io a function \(part\) => tf\.io\.IOHandler, got 'folder'\.$/,
    );
  });

  it('leaves the model unchanged when a part is missing or does not fit', async () => {
    const { store, manifest } = await trainedCheckpoint(TINY);
    const fresh = model({ ...TINY, seed: 9 });
    const before = snapshot(fresh);
    const stateBefore = fresh.quantizer.getState();
    const tensors = tf.memory().numTensors;
    await expect(
      fresh.restore(manifest, (part) => (part === 'decoder' ? tf.io.fromMemory({}) : store.load(part))),
    ).rejects.toThrow(/^vqvae\.restore: expected part 'decoder' weights \(weightSpecs and weightData\), got none\.$/);
    // The encoder's weights where the decoder's should be: 4 weights of other shapes.
    await expect(fresh.restore(manifest, (part) => store.load(part === 'decoder' ? 'encoder' : part))).rejects.toThrow(
      /^vqvae\.restore: expected part 'decoder' weight 0 'kernel' \[3,3,6,4\] \(this model's\), got 'enc_conv_0\/kernel' \[3,3,1,4\]\.$/,
    );
    await expect(
      fresh.restore(manifest, (part) => {
        if (part === 'quantizer') throw new Error('no such folder');
        return store.load(part);
      }),
    ).rejects.toThrow(/^vqvae\.restore: expected part 'quantizer' readable weights, got an error: no such folder\.$/);
    expect(snapshot(fresh)).toEqual(before);
    expect(fresh.quantizer.getState()).toEqual(stateBefore);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
