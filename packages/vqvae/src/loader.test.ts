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
});
