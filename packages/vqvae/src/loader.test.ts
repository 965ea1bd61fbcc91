import * as tf from '@tensorflow/tfjs-core';
import { manifestKind } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { memoryStore, read } from './__fixtures__/memory-store';
import { vqVaeLoader } from './loader';
import { createVqVae } from './vqvae';

describe('vqVaeLoader', () => {
  it('reads the kind a VQ-VAE saves: loads it bit for bit, or builds an untrained one of its config', async () => {
    const vqvae = createVqVae({ inputShape: [8, 8, 1], dim: 3, codebookSize: 5, encoderFilters: [4, 4], seed: 2 });
    const store = memoryStore();
    const manifest = await vqvae.save(store.save);
    expect(manifestKind(manifest)).toBe(vqVaeLoader.kind);
    const loaded = await vqVaeLoader.load(manifest, store.load);
    expect(read(loaded.quantizer.codebook.clone())).toEqual(read(vqvae.quantizer.codebook.clone()));
    const fresh = vqVaeLoader.create(manifest.config);
    expect(fresh.config).toEqual(vqvae.config);
    for (const model of [vqvae, loaded, fresh]) model.dispose();
  });

  it('builds and sizes the model an FSQ checkpoint saved before codeProjection held (no map), so it resumes', async () => {
    const config = {
      inputShape: [8, 8, 1] as [number, number, number],
      dim: 3,
      codebookSize: 64,
      encoderFilters: [4, 6],
      quantizer: { kind: 'fsq' as const, levels: [4, 4, 4] },
    };
    const before = createVqVae({ ...config, codeProjection: 0 });
    const store = memoryStore();
    const manifest = JSON.parse(JSON.stringify(await before.save(store.save)));
    delete manifest.config.codeProjection; // as earlier versions wrote it
    const rebuilt = vqVaeLoader.create(manifest.config);
    expect(rebuilt.config.codeProjection).toBe(0);
    await rebuilt.restore(manifest, store.load); // resuming: the stored weights go into the rebuilt model
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 4);
    expect(read(rebuilt.reconstruct(x))).toEqual(read(before.reconstruct(x)));
    const parameters = (model: typeof before) =>
      model.encoder.countParams() + model.quantizerModel.countParams() + model.decoder.countParams();
    expect(vqVaeLoader.estimate?.(manifest.config, 8).parameters).toBe(parameters(before));
    // today's manifest of the same config keeps its map
    const today = createVqVae(config);
    const todayRebuilt = vqVaeLoader.create((await today.save(store.save)).config);
    expect(todayRebuilt.config.codeProjection).toBe(6);
    for (const model of [before, rebuilt, today, todayRebuilt]) model.dispose();
  });
});
