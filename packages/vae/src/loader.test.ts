import * as tf from '@tensorflow/tfjs-core';
import { manifestKind } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { vaeLoader } from './loader';
import { estimateVaeSize } from './size';
import { createVae } from './vae';

describe('vaeLoader', () => {
  it('reads the kind a VAE saves: loads it bit for bit, or builds an untrained one of its config', async () => {
    const vae = createVae({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: 5, seed: 3 });
    const parts = new Map<string, tf.io.ModelArtifacts>();
    const manifest = await vae.save((part) =>
      tf.io.withSaveHandler(async (artifacts) => {
        parts.set(part, artifacts);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(manifestKind(manifest)).toBe(vaeLoader.kind);
    const loaded = await vaeLoader.load(manifest, (part) => tf.io.fromMemory(parts.get(part) as tf.io.ModelArtifacts));
    const weights = (model: typeof vae) => model.encoder.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(loaded)).toEqual(weights(vae));
    const fresh = vaeLoader.create({ ...manifest.config, seed: 4 });
    expect({ ...fresh.config, seed: 3 }).toEqual(vae.config);
    expect(weights(fresh)).not.toEqual(weights(vae));
    for (const model of [vae, loaded, fresh]) model.dispose();
    // its estimate is the package's, of a checkpoint's config as stored (what a reader checks a memory limit against)
    expect(vaeLoader.estimate?.(manifest.config, 32)).toEqual(estimateVaeSize(manifest.config, 32));
    expect(vaeLoader.estimate?.({ ...manifest.config, hidden: [100000] }, 32).parameters).toBeGreaterThan(3e6);
  });
});
