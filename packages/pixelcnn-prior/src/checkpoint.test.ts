import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '@vaejs/core';
import { describe, expect, it } from 'vitest';
import { randomMaps, TINY_CONFIG } from './__fixtures__/tiny';
import type { PixelCnnConfig } from './config';
import { createPixelCnn, loadPixelCnn, type PixelCnn, savePixelCnn } from './pixelcnn';

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
    const configs: PixelCnnConfig[] = [
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
      /^loadPixelCnn: expected manifest\.parts to include 'network', got \[\]\.$/,
    );
    const badConfig = { ...base, config: { ...(base.config as object), kernelSize: 2 } };
    await expect(loadPixelCnn(badConfig, io)).rejects.toThrow(
      /^loadPixelCnn: expected manifest\.config a valid config, got one that fails: loadPixelCnn: expected config\.kernelSize an odd integer ≥ 3, got 2\.$/,
    );
    const before = tf.memory().numTensors;
    const otherK = { ...base, config: { ...(base.config as object), numCategories: 5 } };
    await expect(loadPixelCnn(otherK, io)).rejects.toThrow(
      /^loadPixelCnn: expected part 'network' weights that fit the model, got weight 'embedding\/embeddings' of shape \[4,\d+\] for \[5,\d+\]\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadPixelCnn(base, () => tf.io.fromMemory({}))).rejects.toThrow(
      /^loadPixelCnn: expected part 'network' weights \(weightSpecs and weightData\), got none\.$/,
    );
    prior.dispose();
  });
});

describe('prior.save / prior.restore', () => {
  it('restores trained weights into a fresh prior of another seed, bit for bit, gated and masked', async () => {
    const configs: PixelCnnConfig[] = [
      { ...TINY_CONFIG, numClasses: 2 },
      { ...TINY_CONFIG, architecture: 'masked', kernelSize: 3 },
    ];
    for (const config of configs) {
      const trained = createPixelCnn(config);
      const maps = randomMaps(4, 5, 6, 4, 6);
      const labels = config.numClasses ? tf.tensor1d([1, 0, 0, 1], 'int32') : undefined;
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 3; step++) {
        tf.dispose(Object.values(trained.trainStep(optimizer, { x: maps, labels }, { seed: step, step })));
      }
      optimizer.dispose();
      const stored = new Map<string, tf.io.ModelArtifacts>();
      const manifest = await trained.save((part) =>
        tf.io.withSaveHandler(async (artifacts) => {
          stored.set(part, artifacts);
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      expect(manifest).toEqual({ format: 'vaejs-pixelcnn', version: 1, config: trained.config, parts: ['network'] });
      const fresh = createPixelCnn({ ...config, seed: 11 });
      const logitsOf = (prior: PixelCnn) => {
        const logits = prior.logits(maps, labels);
        const values = Array.from(logits.dataSync());
        logits.dispose();
        return values;
      };
      expect(logitsOf(fresh)).not.toEqual(logitsOf(trained));
      const before = tf.memory().numTensors;
      await fresh.restore(JSON.parse(JSON.stringify(manifest)), (part) =>
        tf.io.fromMemory(stored.get(part) as tf.io.ModelArtifacts),
      );
      expect(tf.memory().numTensors, 'restore leaves no tensor behind').toBe(before);
      expect(fresh.config.seed).toBe(11);
      expect(logitsOf(fresh)).toEqual(logitsOf(trained));
      const [a, b] = [trained, fresh].map((p) => p.lossParts({ x: maps, labels }));
      expect(b!.loss.dataSync()[0]).toBe(a!.loss.dataSync()[0]);
      const [sampleA, sampleB] = await Promise.all(
        [trained, fresh].map((p) => p.sample(2, { seed: 5, labels: labels ? 1 : undefined })),
      );
      expect(Array.from(sampleB!.dataSync())).toEqual(Array.from(sampleA!.dataSync()));
      tf.dispose([maps, ...(labels ? [labels] : []), ...Object.values(a!), ...Object.values(b!), sampleA!, sampleB!]);
      trained.dispose();
      fresh.dispose();
    }
  });

  it('rejects another kind, another config (naming the field), a bad io and unreadable parts, changing nothing', async () => {
    const saved = createPixelCnn({ ...TINY_CONFIG, seed: 1 });
    const target = createPixelCnn(TINY_CONFIG);
    const { manifest, io } = await roundTrip(saved);
    const base = manifest as Record<string, unknown>;
    const weights = () => target.network.getWeights().map((w) => Array.from(w.dataSync()));
    const untouched = weights();
    const before = tf.memory().numTensors;
    await expect(target.restore({ ...base, format: 'vaejs-vae' }, io)).rejects.toThrow(CheckpointError);
    await expect(target.restore({ ...base, format: 'vaejs-vae' }, io)).rejects.toThrow(
      /^pixelCnn\.restore: expected manifest\.format 'vaejs-pixelcnn', got 'vaejs-vae'\.$/,
    );
    const wider = { ...base, config: { ...(base.config as object), channels: 16 } };
    await expect(target.restore(wider, io)).rejects.toThrow(
      /^pixelCnn\.restore: expected manifest\.config\.channels 8 \(this model's config\), got 16\.$/,
    );
    const conditioned = { ...base, config: { ...(base.config as object), numClasses: 3 } };
    await expect(target.restore(conditioned, io)).rejects.toThrow(
      /^pixelCnn\.restore: expected manifest\.config\.numClasses 0 \(this model's config\), got 3\.$/,
    );
    await expect(target.restore(base, undefined as never)).rejects.toThrow(
      /^pixelCnn\.restore: expected io a function \(part\) => tf\.io\.IOHandler, got undefined\.$/,
    );
    await expect(target.restore(base, () => tf.io.fromMemory({}))).rejects.toThrow(
      /^pixelCnn\.restore: expected part 'network' weights \(weightSpecs and weightData\), got none\.$/,
    );
    expect(weights()).toEqual(untouched);
    expect(tf.memory().numTensors).toBe(before);
    saved.dispose();
    target.dispose();
  });
});
