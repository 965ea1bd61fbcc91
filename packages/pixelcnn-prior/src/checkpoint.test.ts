import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { randomMaps, TINY_CONFIG } from './__fixtures__/tiny';
import { loadPixelCnn, savePixelCnn } from './checkpoint';
import type { PixelCnnConfigInput } from './config';
import { createPixelCnn, type PixelCnn } from './pixelcnn';

/** Saves into memory; returns the manifest (through JSON, as a file would) and a loader over the stored parts. */
async function roundTrip(prior: PixelCnn) {
  const stored = new Map<string, tf.io.ModelArtifacts>();
  const manifest = await savePixelCnn(prior, (part) =>
    tf.io.withSaveHandler(async (artifacts) => {
      stored.set(part, artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const io = (part: string) => tf.io.fromMemory(stored.get(part) as tf.io.ModelArtifacts);
  return { manifest: JSON.parse(JSON.stringify(manifest)) as unknown, io, stored };
}

describe('savePixelCnn / loadPixelCnn', () => {
  it('round-trips gated and masked, conditioned or not, with bit-identical logits and samples', async () => {
    const configs: PixelCnnConfigInput[] = [
      { ...TINY_CONFIG, numClasses: 2 },
      { ...TINY_CONFIG, architecture: 'masked', kernelSize: 3 },
    ];
    for (const config of configs) {
      const prior = createPixelCnn(config);
      const { manifest, io } = await roundTrip(prior);
      expect(manifest).toEqual({
        format: 'vaejs-pixelcnn',
        version: 1,
        config: { ...prior.config },
        parts: ['network'],
      });
      const loaded = await loadPixelCnn(manifest, io);
      expect(loaded.config).toEqual(prior.config);
      const maps = randomMaps(3, 5, 6, 4, 1);
      const labels = config.numClasses ? [1, 0, 1] : undefined;
      const [before, after] = [prior, loaded].map((p) => p.logits(maps, labels));
      expect(Array.from(after!.dataSync())).toEqual(Array.from(before!.dataSync()));
      const [sampleBefore, sampleAfter] = await Promise.all(
        [prior, loaded].map((p) => p.sample(3, { seed: 2, labels })),
      );
      expect(Array.from(sampleAfter!.dataSync())).toEqual(Array.from(sampleBefore!.dataSync()));
      tf.dispose([maps, before!, after!, sampleBefore!, sampleAfter!]);
      prior.dispose();
      loaded.dispose();
    }
  });

  it('keeps training state out: a trained model reloads with its trained weights', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const optimizer = tf.train.adam(0.05);
    const maps = randomMaps(4, 5, 6, 4, 2);
    for (let step = 0; step < 3; step++) tf.dispose(prior.trainStep(optimizer, { x: maps }));
    const { manifest, io } = await roundTrip(prior);
    const loaded = await loadPixelCnn(manifest, io);
    const [a, b] = [prior, loaded].map((p) => p.lossParts({ x: maps }).loss);
    expect(b!.dataSync()[0]).toBe(a!.dataSync()[0]);
    tf.dispose([a!, b!, maps]);
    optimizer.dispose();
    prior.dispose();
    loaded.dispose();
  });

  it('rejects manifests of another format, version or config, and networks that do not match', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const { manifest, io } = await roundTrip(prior);
    const base = manifest as Record<string, unknown>;
    await expect(loadPixelCnn({ ...base, format: 'vaejs-vqvae' }, io)).rejects.toThrow(CheckpointError);
    await expect(loadPixelCnn({ ...base, format: 'vaejs-vqvae' }, io)).rejects.toThrow(
      /^loadPixelCnn: expected manifest\.format 'vaejs-pixelcnn', got 'vaejs-vqvae'\.$/,
    );
    await expect(loadPixelCnn(null, io)).rejects.toThrow(/^loadPixelCnn: expected manifest an object, got null\.$/);
    await expect(loadPixelCnn({ ...base, version: 2 }, io)).rejects.toThrow(
      /^loadPixelCnn: expected manifest\.version 1, got 2\.$/,
    );
    await expect(loadPixelCnn({ ...base, parts: [] }, io)).rejects.toThrow(
      /^loadPixelCnn: expected manifest\.parts to include 'network', got an array of 0\.$/,
    );
    const badConfig = { ...base, config: { ...(base.config as object), kernelSize: 2 } };
    await expect(loadPixelCnn(badConfig, io)).rejects.toThrow(
      /^loadPixelCnn: invalid manifest\.config: createPixelCnn: expected config\.kernelSize an odd integer ≥ 3, got 2\.$/,
    );
    const before = tf.memory().numTensors;
    const otherK = { ...base, config: { ...(base.config as object), numCategories: 5 } };
    await expect(loadPixelCnn(otherK, io)).rejects.toThrow(
      /^loadPixelCnn: expected part 'network' 1 input\(s\) and logits \[\?,\?,\?,5\] \(manifest\.config\), got 1 input\(s\) and logits \[\?,\?,\?,4\]\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadPixelCnn(base, () => tf.io.fromMemory({}))).rejects.toThrow(
      /^loadPixelCnn: expected part 'network' a loadable tfjs LayersModel, got /,
    );
    prior.dispose();
  });
});
