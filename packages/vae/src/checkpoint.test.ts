import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CheckpointError } from '@vaejs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureImages } from './__fixtures__/images';
import type { VaeConfig } from './config';
import { createVae, loadVae, saveVae, type Vae } from './vae';

/** An in-memory store standing in for the trainer's files: part name → model artifacts. */
function memoryStore() {
  const artifacts = new Map<string, tf.io.ModelArtifacts>();
  return {
    artifacts,
    save: (part: string) =>
      tf.io.withSaveHandler(async (model) => {
        artifacts.set(part, model);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    load: (part: string) => tf.io.fromMemory(artifacts.get(part) as tf.io.ModelArtifacts),
  };
}

const toDispose: Vae[] = [];
afterAll(() => {
  for (const vae of toDispose) vae.dispose();
});

describe('saveVae / loadVae', () => {
  const cases: [string, VaeConfig][] = [
    ['mlp bernoulli 28x28x1', { inputShape: [28, 28, 1], latentDim: 3, arch: 'mlp', hidden: [16] }],
    [
      'conv cvae 12x10x3',
      { inputShape: [12, 10, 3], latentDim: 2, kind: 'cvae', numClasses: 3, filters: [4, 8], denseUnits: 8 },
    ],
    [
      'conv per-pixel learned variance',
      {
        inputShape: [7, 5, 1],
        latentDim: 2,
        filters: [4],
        likelihood: 'gaussian-learned',
        learnedVariance: 'per-pixel',
      },
    ],
    [
      'mlp ae scalar learned variance',
      { inputShape: [4, 4, 2], latentDim: 2, kind: 'ae', arch: 'mlp', likelihood: 'gaussian-learned' },
    ],
  ];
  for (const [name, config] of cases) {
    it(`round-trips bit-identically: ${name}`, async () => {
      const vae = createVae(config);
      toDispose.push(vae);
      // move every weight off its initial value (including the learned log-variance) with two training steps
      const x = fixtureImages(3, config.inputShape, 5);
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 2; step++)
        tf.dispose(Object.values(vae.trainStep(optimizer, { x, target: x, labels }, { seed: step })));
      optimizer.dispose();

      const store = memoryStore();
      const manifest = await saveVae(vae, store.save);
      expect(manifest).toEqual({ format: 'vaejs-vae', version: 1, config: vae.config, parts: ['encoder', 'decoder'] });
      const loaded = await loadVae(JSON.parse(JSON.stringify(manifest)), store.load);
      toDispose.push(loaded);
      expect(loaded.config).toEqual(vae.config);

      const bits = (t: tf.Tensor | null) => Array.from(t?.dataSync() ?? []);
      const originalWeights = vae.trainableVariables().map(bits);
      expect(loaded.trainableVariables().map(bits)).toEqual(originalWeights);
      if (config.likelihood === 'gaussian-learned') {
        expect(bits(loaded.logVariance())).toEqual(bits(vae.logVariance()));
        expect(bits(vae.logVariance()).some((v) => v !== 0)).toBe(true);
      }
      const withLabels = config.kind === 'cvae' ? labels : undefined;
      const before = vae.encode(x, withLabels);
      const after = loaded.encode(x, withLabels);
      expect(bits(after.mean)).toEqual(bits(before.mean));
      expect(bits(after.logVar)).toEqual(bits(before.logVar));
      const decodedBefore = vae.reconstruct(x, { labels: withLabels });
      const decodedAfter = loaded.reconstruct(x, { labels: withLabels });
      expect(bits(decodedAfter)).toEqual(bits(decodedBefore));
      const lossBefore = vae.lossParts({ x, labels }, { seed: 3 });
      const lossAfter = loaded.lossParts({ x, labels }, { seed: 3 });
      expect(bits(lossAfter.loss)).toEqual(bits(lossBefore.loss));
      tf.dispose(
        [x, labels, before.mean, before.logVar, after.mean, after.logVar, decodedBefore, decodedAfter].filter(
          (t) => t !== null,
        ) as tf.Tensor[],
      );
      tf.dispose([...Object.values(lossBefore), ...Object.values(lossAfter)]);
    });
  }

  it('writes parts that plain tf.loadLayersModel reads (as a browser would)', async () => {
    const vae = createVae({
      inputShape: [4, 4, 1],
      latentDim: 2,
      arch: 'mlp',
      hidden: [4],
      likelihood: 'gaussian-learned',
    });
    toDispose.push(vae);
    const store = memoryStore();
    await saveVae(vae, store.save);
    const decoder = await tfl.loadLayersModel(store.load('decoder'));
    const z = tf.tensor2d([[0.3, -0.2]]);
    const direct = decoder.predict(z) as tf.Tensor;
    const viaVae = vae.decode(z);
    expect(Array.from(direct.dataSync())).toEqual(Array.from(viaVae.dataSync()));
    expect(decoder.getLayer('log_variance').getClassName()).toBe('VaejsLearnedLogVariance');
    tf.dispose([z, direct, viaVae]);
    decoder.dispose();
  });

  it('rejects manifests of another kind, version or config, and networks that disagree with the config', async () => {
    const vae = createVae({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [4] });
    toDispose.push(vae);
    const store = memoryStore();
    const manifest = await saveVae(vae, store.save);
    await expect(loadVae({ ...manifest, format: 'vaejs-vqvae' }, store.load)).rejects.toThrow(
      /^loadVae: expected manifest\.format 'vaejs-vae', got 'vaejs-vqvae'\.$/,
    );
    await expect(loadVae({ ...manifest, format: 'vaejs-vqvae' }, store.load)).rejects.toThrow(CheckpointError);
    await expect(loadVae('vae.json', store.load)).rejects.toThrow(
      /^loadVae: expected manifest an object, got 'vae\.json'\.$/,
    );
    await expect(loadVae({ ...manifest, version: 2 }, store.load)).rejects.toThrow(
      /^loadVae: expected manifest\.version 1, got 2\.$/,
    );
    await expect(loadVae({ ...manifest, config: { ...manifest.config, latentDim: 0 } }, store.load)).rejects.toThrow(
      /^loadVae: expected manifest\.config a valid config, got one that fails: loadVae: expected config\.latentDim a positive integer, got 0\.$/,
    );
    await expect(loadVae({ ...manifest, parts: ['encoder'] }, store.load)).rejects.toThrow(
      /^loadVae: expected manifest\.parts to include 'encoder', 'decoder', got \['encoder'\]\.$/,
    );
    const before = tf.memory().numTensors;
    // the networks are built from the config, and the weights (and the topology stored with them) must be theirs
    await expect(loadVae({ ...manifest, config: { ...manifest.config, latentDim: 3 } }, store.load)).rejects.toThrow(
      /^loadVae: expected part 'encoder' weights that fit the model, got weight 'z_mean\/kernel' of shape \[4,2\] for \[4,3\]\.$/,
    );
    await expect(
      loadVae({ ...manifest, config: { ...manifest.config, inputShape: [4, 4, 3] } }, store.load),
    ).rejects.toThrow(
      /^loadVae: expected part 'encoder' weights that fit the model, got weight 'enc_dense_0\/kernel' of shape \[16,4\] for \[48,4\]\.$/,
    );
    await expect(
      loadVae({ ...manifest, config: { ...manifest.config, likelihood: 'gaussian-learned' } }, store.load),
    ).rejects.toThrow(/^loadVae: expected part 'decoder' topology 6 layers \(the model's\), got 4 layers\.$/);
    expect(tf.memory().numTensors, 'networks built before a mismatch are disposed').toBe(before);
    const missing = (part: string) => (part === 'decoder' ? tf.io.fromMemory({}) : store.load(part));
    await expect(loadVae(manifest, missing)).rejects.toThrow(
      /^loadVae: expected part 'decoder' weights \(weightSpecs and weightData\), got none\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('vae.save / vae.restore', () => {
  const cases: [string, VaeConfig][] = [
    ['mlp vae', { inputShape: [6, 6, 1], latentDim: 2, arch: 'mlp', hidden: [8] }],
    [
      'conv cvae with learned variance',
      {
        inputShape: [8, 6, 2],
        latentDim: 3,
        kind: 'cvae',
        numClasses: 3,
        filters: [4],
        denseUnits: 8,
        likelihood: 'gaussian-learned',
      },
    ],
  ];
  for (const [name, config] of cases) {
    it(`restores trained weights into a fresh model of another seed, bit for bit: ${name}`, async () => {
      const trained = createVae(config);
      toDispose.push(trained);
      const x = fixtureImages(3, config.inputShape, 8);
      const labels = tf.tensor1d([2, 0, 1], 'int32');
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 3; step++) {
        tf.dispose(Object.values(trained.trainStep(optimizer, { x, labels }, { seed: step, step })));
      }
      optimizer.dispose();
      const store = memoryStore();
      const manifest = await trained.save(store.save);
      expect(manifest).toEqual({
        format: 'vaejs-vae',
        version: 1,
        config: trained.config,
        parts: ['encoder', 'decoder'],
      });

      const fresh = createVae({ ...config, seed: 7 });
      toDispose.push(fresh);
      const bits = (t: tf.Tensor | null) => Array.from(t?.dataSync() ?? []);
      const lossOf = (vae: Vae) => {
        const parts = vae.lossParts({ x, labels }, { seed: 11 });
        const values = Object.values(parts).map(bits);
        tf.dispose(Object.values(parts));
        return values;
      };
      const reconstructionOf = (vae: Vae) => {
        const images = vae.reconstruct(x, config.kind === 'cvae' ? { labels } : {});
        const values = bits(images);
        images.dispose();
        return values;
      };
      expect(reconstructionOf(fresh)).not.toEqual(reconstructionOf(trained));
      const variablesBefore = fresh.trainableVariables();
      const tensorsBefore = tf.memory().numTensors;
      await fresh.restore(JSON.parse(JSON.stringify(manifest)), store.load);
      expect(tf.memory().numTensors, 'restore leaves no tensor behind').toBe(tensorsBefore);
      expect(fresh.config.seed).toBe(7);
      expect(fresh.trainableVariables().map(bits)).toEqual(trained.trainableVariables().map(bits));
      fresh.trainableVariables().forEach((variable, i) => {
        expect(variable, 'the same variables, new values').toBe(variablesBefore[i]);
      });
      expect(reconstructionOf(fresh)).toEqual(reconstructionOf(trained));
      expect(lossOf(fresh)).toEqual(lossOf(trained));
      if (config.likelihood === 'gaussian-learned')
        expect(bits(fresh.logVariance())).toEqual(bits(trained.logVariance()));
      tf.dispose([x, labels]);
    });
  }

  it('rejects another kind, another config (naming the field), a bad io and unreadable parts, changing nothing', async () => {
    const config: VaeConfig = { inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [4] };
    const saved = createVae({ ...config, seed: 1 });
    const target = createVae(config);
    toDispose.push(saved, target);
    const store = memoryStore();
    const manifest = await saved.save(store.save);
    const weights = () => target.trainableVariables().map((v) => Array.from(v.dataSync()));
    const untouched = weights();
    const before = tf.memory().numTensors;
    await expect(target.restore({ ...manifest, format: 'vaejs-pixelcnn' }, store.load)).rejects.toThrow(
      /^vae\.restore: expected manifest\.format 'vaejs-vae', got 'vaejs-pixelcnn'\.$/,
    );
    await expect(target.restore(null, store.load)).rejects.toThrow(
      /^vae\.restore: expected manifest an object, got null\.$/,
    );
    const otherSize = { ...manifest, config: { ...manifest.config, hidden: [5] } };
    await expect(target.restore(otherSize, store.load)).rejects.toThrow(CheckpointError);
    await expect(target.restore(otherSize, store.load)).rejects.toThrow(
      /^vae\.restore: expected manifest\.config\.hidden \[4\] \(this model's config\), got \[5\]\.$/,
    );
    const otherKind = { ...manifest, config: { ...manifest.config, kind: 'ae', beta: 1 } };
    await expect(target.restore(otherKind, store.load)).rejects.toThrow(
      /^vae\.restore: expected manifest\.config\.kind 'vae' \(this model's config\), got 'ae'\.$/,
    );
    await expect(
      target.restore({ ...manifest, config: { ...manifest.config, latentDim: 0 } }, store.load),
    ).rejects.toThrow(
      /^vae\.restore: expected manifest\.config a valid config, got one that fails: vae\.restore: expected config\.latentDim a positive integer, got 0\.$/,
    );
    await expect(target.restore(manifest, 'folder' as never)).rejects.toThrow(
      /^vae\.restore: expected io a function \(part\) => tf\.io\.IOHandler, got 'folder'\.$/,
    );
    await expect(target.restore(manifest, () => tf.io.fromMemory({}))).rejects.toThrow(
      /^vae\.restore: expected part 'encoder' weights \(weightSpecs and weightData\), got none\.$/,
    );
    expect(weights()).toEqual(untouched);
    expect(tf.memory().numTensors).toBe(before);
    // a topology grown in model.json (units: 1e6) is compared with the config's networks, never built
    const artifacts = store.artifacts.get('encoder') as tf.io.ModelArtifacts;
    const topology = structuredClone(artifacts.modelTopology) as {
      config: { layers: { config: { units?: number } }[] };
    };
    (topology.config.layers[2] as { config: { units?: number } }).config.units = 1e6;
    const grown = (part: string) =>
      part === 'encoder' ? tf.io.fromMemory({ ...artifacts, modelTopology: topology }) : store.load(part);
    const started = performance.now();
    await expect(loadVae(manifest, grown)).rejects.toThrow(
      /^loadVae: expected part 'encoder' topology layer 2 \(enc_dense_0\) units 4 \(the model's\), got 1000000\.$/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
  });
});
