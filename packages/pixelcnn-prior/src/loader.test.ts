import * as tf from '@tensorflow/tfjs-core';
import { manifestKind } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { TINY_CONFIG } from './__fixtures__/tiny';
import { pixelCnnLoader } from './loader';
import { createPixelCnn } from './pixelcnn';

describe('pixelCnnLoader', () => {
  it('reads the kind a prior saves: loads it bit for bit, or builds an untrained one of its config', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    let saved: tf.io.ModelArtifacts | undefined;
    const manifest = await prior.save(() =>
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(manifestKind(manifest)).toBe(pixelCnnLoader.kind);
    const loaded = await pixelCnnLoader.load(manifest, () => tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    const weights = (model: typeof prior) => model.network.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(loaded)).toEqual(weights(prior));
    const fresh = pixelCnnLoader.create({ ...manifest.config, seed: 9 });
    expect({ ...fresh.config, seed: TINY_CONFIG.seed }).toEqual(prior.config);
    for (const model of [prior, loaded, fresh]) model.dispose();
  });
});
