import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memoryStore, read } from './__fixtures__/memory-store';
import { saveVqVae } from './checkpoint';
import type { VqVaeConfig } from './config';
import { createVqVae, loadVqVae } from './vqvae';

const TINY: VqVaeConfig = {
  inputShape: [8, 8, 1],
  dim: 4,
  codebookSize: 8,
  encoderFilters: [4, 6],
  quantizer: { ema: true, deadCodeThreshold: 0.3, kmeansInit: true, kmeansIterations: 3 },
};

describe('saveVqVae / loadVqVae', () => {
  it('round-trips weights, codebook, EMA state and random stream bit for bit', async () => {
    const vqvae = createVqVae(TINY);
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 1);
    const optimizer = tf.train.sgd(0.05);
    for (let step = 0; step < 3; step++) tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    const store = memoryStore();
    const manifest = await saveVqVae(vqvae, store.save);
    expect(manifest.format).toBe('vaejs-vqvae');
    expect(manifest.version).toBe(1);
    expect(manifest.parts).toEqual(['encoder', 'quantizer', 'decoder']);
    expect(manifest.initialized).toBe(true);
    const loaded = await loadVqVae(JSON.parse(JSON.stringify(manifest)), store.load);
    expect(loaded.config).toEqual(vqvae.config);
    const [saved, restored] = [vqvae.quantizer, loaded.quantizer];
    if (saved.kind !== 'vq' || restored.kind !== 'vq') throw new Error('expected classic quantisers');
    for (const name of ['codebook', 'clusterSize', 'embedSum'] as const) {
      expect(Array.from(restored[name].dataSync())).toEqual(Array.from(saved[name].dataSync()));
    }
    expect(read(loaded.encode(x))).toEqual(read(vqvae.encode(x)));
    expect(read(loaded.reconstruct(x))).toEqual(read(vqvae.reconstruct(x)));
    expect(loaded.quantizer.getRngState()).toEqual(vqvae.quantizer.getRngState());
    // Training resumes identically (same EMA state, restarts drawn from the same stream, no second k-means).
    const resumed = tf.train.sgd(0.05);
    const a = vqvae.trainStep(optimizer, { x });
    const b = loaded.trainStep(resumed, { x });
    expect(read(b.loss)).toEqual(read(a.loss));
    tf.dispose([...Object.values(a), ...Object.values(b)]);
    expect(Array.from(loaded.quantizer.codebook.dataSync())).toEqual(Array.from(vqvae.quantizer.codebook.dataSync()));
    vqvae.dispose();
    loaded.dispose();
    optimizer.dispose();
    resumed.dispose();
  });

  it('loads a checkpoint saved before codeProjection existed as the model it was: FSQ codes straight into the decoder', async () => {
    const config: VqVaeConfig = { ...TINY, dim: 3, codebookSize: 64, quantizer: { kind: 'fsq', levels: [4, 4, 4] } };
    const before = createVqVae({ ...config, codeProjection: 0 });
    const store = memoryStore();
    const manifest = JSON.parse(JSON.stringify(await saveVqVae(before, store.save)));
    delete manifest.config.codeProjection; // as the manifests of earlier versions are
    const loaded = await loadVqVae(manifest, store.load);
    expect(loaded.config.codeProjection).toBe(0);
    expect(createVqVae(config).config.codeProjection).toBe(6); // what the same config builds today
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
    expect(read(loaded.reconstruct(x))).toEqual(read(before.reconstruct(x)));
    // a manifest that names the field keeps it
    const today = createVqVae(config);
    const saved = await saveVqVae(today, store.save);
    expect(saved.config.codeProjection).toBe(6);
    const again = await loadVqVae(JSON.parse(JSON.stringify(saved)), store.load);
    expect(read(again.reconstruct(x))).toEqual(read(today.reconstruct(x)));
    for (const model of [before, loaded, today, again]) model.dispose();
  });

  it('frees everything it loaded on dispose', async () => {
    const vqvae = createVqVae(TINY);
    const store = memoryStore();
    const manifest = await saveVqVae(vqvae, store.save);
    vqvae.dispose();
    const before = tf.memory().numTensors;
    (await loadVqVae(manifest, store.load)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects manifests of another model, version or shape', async () => {
    const vqvae = createVqVae(TINY);
    const store = memoryStore();
    const manifest = await saveVqVae(vqvae, store.save);
    vqvae.dispose();
    await expect(loadVqVae({ ...manifest, format: 'vaejs-vae' }, store.load)).rejects.toThrow(
      /^loadVqVae: expected manifest\.format 'vaejs-vqvae', got 'vaejs-vae'\.$/,
    );
    await expect(loadVqVae(null, store.load)).rejects.toThrow(/^loadVqVae: expected manifest an object, got null\.$/);
    await expect(loadVqVae({ ...manifest, version: 2 }, store.load)).rejects.toThrow(
      /^loadVqVae: expected manifest\.version 1, got 2\.$/,
    );
    await expect(loadVqVae({ ...manifest, parts: ['encoder'] }, store.load)).rejects.toThrow(
      /^loadVqVae: expected manifest\.parts to include 'encoder', 'quantizer', 'decoder', got \['encoder'\]\.$/,
    );
    await expect(loadVqVae({ ...manifest, config: { ...manifest.config, dim: -1 } }, store.load)).rejects.toThrow(
      /^loadVqVae: expected manifest\.config a valid config, got one that fails: loadVqVae: expected config\.dim a positive integer, got -1\.$/,
    );
    const before = tf.memory().numTensors;
    await expect(
      loadVqVae(manifest, (part) => (part === 'decoder' ? tf.io.fromMemory({}) : store.load(part))),
    ).rejects.toThrow(/^loadVqVae: expected part 'decoder' weights \(weightSpecs and weightData\), got none\.$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads parts given as URLs through the registered tf.io load routers', async () => {
    const vqvae = createVqVae(TINY);
    const store = memoryStore();
    const manifest = await saveVqVae(vqvae, store.save);
    const requested: string[] = [];
    tf.io.registerLoadRouter(((url: string | string[]) => {
      if (typeof url !== 'string' || !url.startsWith('vqvae-test://')) return null;
      requested.push(url);
      return store.load(url.slice('vqvae-test://'.length).split('/')[0] as string);
    }) as Parameters<typeof tf.io.registerLoadRouter>[0]);
    const loaded = await loadVqVae(manifest, (part) => `vqvae-test://${part}/model.json`);
    expect(requested).toEqual(['encoder', 'quantizer', 'decoder'].map((part) => `vqvae-test://${part}/model.json`));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 4);
    expect(read(loaded.reconstruct(x))).toEqual(read(vqvae.reconstruct(x)));
    tf.dispose([x]);
    vqvae.dispose();
    loaded.dispose();
  });

  it('loads checkpoints written before the layers had fixed names, matching weights by position', async () => {
    const vqvae = createVqVae(TINY);
    const store = memoryStore();
    const manifest = await saveVqVae(vqvae, store.save);
    // As saved by a model whose layers tfjs named itself: conv2d_Conv2D3/kernel, vector_quantizer_1/codebook, ...
    let renamed = 0;
    for (const artifacts of Object.values(store.parts)) {
      for (const spec of artifacts.weightSpecs ?? []) {
        spec.name = spec.name.replace(/^[a-z_]+\d?(?=\/)/, (layer) => `${layer}_Auto${++renamed}`);
      }
    }
    expect(store.parts.encoder?.weightSpecs?.[0]?.name).toBe('enc_conv_0_Auto1/kernel');
    const loaded = await loadVqVae(manifest, store.load);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5);
    expect(read(loaded.reconstruct(x))).toEqual(read(vqvae.reconstruct(x)));
    tf.dispose([x]);
    vqvae.dispose();
    loaded.dispose();
  });
});
