import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { applyLayersWeights, decodeLayersWeights, disposeLayersWeights, restoreLayersWeights } from './layers-weights';

function buildModel(seed: number, units = 3): tfl.LayersModel {
  const input = tfl.input({ shape: [4], name: 'x' });
  const hidden = tfl.layers
    .dense({ units, activation: 'relu', name: 'hidden', kernelInitializer: tfl.initializers.glorotUniform({ seed }) })
    .apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers
    .dense({ units: 2, name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(hidden) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

async function saved(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts as tf.io.ModelArtifacts;
}

const valuesOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('restoreLayersWeights', () => {
  it('sets the saved weights bit for bit into a model built with other weights, and frees the decoded tensors', async () => {
    const source = buildModel(1);
    const target = buildModel(2);
    // names of a second model's variables get a suffix in tfjs; restoring goes by the original names
    expect(valuesOf(target)).not.toEqual(valuesOf(source));
    const artifacts = await saved(source);
    const before = tf.memory().numTensors;
    await restoreLayersWeights('toy.restore', 'network', target, tf.io.fromMemory(artifacts));
    expect(tf.memory().numTensors).toBe(before);
    expect(valuesOf(target)).toEqual(valuesOf(source));
    const x = tf.randomUniform([5, 4], 0, 1, 'float32', 3);
    const [a, b] = [source, target].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
    tf.dispose([x, a!, b!]);
    source.dispose();
    target.dispose();
  });

  it('rejects weights of another shape before setting any, naming the part and the weight', async () => {
    const source = buildModel(1, 5);
    const target = buildModel(2, 3);
    const artifacts = await saved(source);
    const untouched = valuesOf(target);
    const before = tf.memory().numTensors;
    const call = () => restoreLayersWeights('toy.restore', 'encoder', target, tf.io.fromMemory(artifacts));
    await expect(call()).rejects.toThrow(CheckpointError);
    await expect(call()).rejects.toThrow(
      /^toy\.restore: expected part 'encoder' weights that fit the model, got weight 'hidden\/kernel' of shape \[4,5\] for \[4,3\]\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(valuesOf(target)).toEqual(untouched);
    source.dispose();
    target.dispose();
  });

  it('rejects missing or extra weights (strict), unreadable parts and handlers without load', async () => {
    const target = buildModel(2);
    const artifacts = await saved(target);
    const before = tf.memory().numTensors;
    const fewer = {
      ...artifacts,
      weightSpecs: artifacts.weightSpecs!.slice(0, 2),
      weightData: (artifacts.weightData as ArrayBuffer).slice(0, (4 * 3 + 3) * 4),
    };
    await expect(restoreLayersWeights('toy.restore', 'net', target, tf.io.fromMemory(fewer))).rejects.toThrow(
      /^toy\.restore: expected part 'net' weights that fit the model, got an error: 2 of 4 weights are not set: out\/kernel,out\/bias\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const renamed = {
      ...artifacts,
      weightSpecs: artifacts.weightSpecs!.map((spec, i) => (i === 0 ? { ...spec, name: 'other/kernel' } : spec)),
    };
    await expect(restoreLayersWeights('toy.restore', 'net', target, tf.io.fromMemory(renamed))).rejects.toThrow(
      /^toy\.restore: expected part 'net' weights that fit the model, got an error: Provided weight data has no target variable: other\/kernel\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(restoreLayersWeights('toy.restore', 'net', target, tf.io.fromMemory({}))).rejects.toThrow(
      /^toy\.restore: expected part 'net' weights \(weightSpecs and weightData\), got none\.$/,
    );
    const failing: tf.io.IOHandler = {
      load: async () => {
        throw new Error('ENOENT: no such file');
      },
    };
    await expect(restoreLayersWeights('toy.restore', 'net', target, failing)).rejects.toThrow(
      /^toy\.restore: expected part 'net' readable weights, got an error: ENOENT: no such file\.$/,
    );
    const saveOnly = tf.io.withSaveHandler(async () => ({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
    }));
    await expect(restoreLayersWeights('toy.restore', 'net', target, saveOnly)).rejects.toThrow(
      /^toy\.restore: expected part 'net' an IOHandler with a load method, got an object without load\.$/,
    );
    target.dispose();
  });
});

describe('decodeLayersWeights and applyLayersWeights', () => {
  it('reads and checks a part without setting anything; applying sets it and frees the decoded tensors', async () => {
    const source = buildModel(1);
    const target = buildModel(2);
    const untouched = valuesOf(target);
    const artifacts = await saved(source);
    const before = tf.memory().numTensors;
    const decoded = await decodeLayersWeights('toy.restore', 'net', target, tf.io.fromMemory(artifacts));
    expect(decoded.part).toBe('net');
    expect(tf.memory().numTensors).toBe(before + 4);
    expect(valuesOf(target)).toEqual(untouched);
    applyLayersWeights('toy.restore', [decoded]);
    expect(tf.memory().numTensors).toBe(before);
    expect(valuesOf(target)).toEqual(valuesOf(source));
    source.dispose();
    target.dispose();
  });

  it('byPosition: matches weights saved under layer names tfjs chose itself, checking shapes and short names', async () => {
    const source = buildModel(1);
    const target = buildModel(2);
    const artifacts = await saved(source);
    const renamed = (rename: (name: string, i: number) => string) =>
      tf.io.fromMemory({
        ...artifacts,
        weightSpecs: artifacts.weightSpecs!.map((spec, i) => ({ ...spec, name: rename(spec.name, i) })),
      });
    const auto = renamed((name, i) => name.replace(/^[a-z]+/, (layer) => `${layer}_Dense${i}`));
    const decoded = await decodeLayersWeights('toy.restore', 'net', target, auto, { byPosition: true });
    applyLayersWeights('toy.restore', [decoded]);
    expect(valuesOf(target)).toEqual(valuesOf(source));
    // without byPosition the same names are refused
    const strict = await decodeLayersWeights('toy.restore', 'net', target, auto);
    expect(() => applyLayersWeights('toy.restore', [strict])).toThrow(
      /^toy\.restore: expected part 'net' weights that fit the model, got an error: .*hidden_Dense0\/kernel/,
    );
    const before = tf.memory().numTensors;
    const swapped = renamed((name, i) => (i === 0 ? 'hidden_X/bias' : name));
    await expect(decodeLayersWeights('toy.restore', 'net', target, swapped, { byPosition: true })).rejects.toThrow(
      /^toy\.restore: expected part 'net' weight 0 'kernel' \[4,3\] \(this model's\), got 'hidden_X\/bias' \[4,3\]\.$/,
    );
    const fewer = tf.io.fromMemory({ ...artifacts, weightSpecs: artifacts.weightSpecs!.slice(0, 2) });
    await expect(decodeLayersWeights('toy.restore', 'net', target, fewer, { byPosition: true })).rejects.toThrow(
      /^toy\.restore: expected part 'net' 4 weights \(this model's\), got 2\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    disposeLayersWeights([]);
    source.dispose();
    target.dispose();
  });

  it("refuses a stored topology that is not the model's (a layer grown to 1e6 units) before setting anything", async () => {
    const source = buildModel(1);
    const target = buildModel(2);
    const untouched = valuesOf(target);
    const artifacts = await saved(source);
    const topology = structuredClone(artifacts.modelTopology) as {
      config: { layers: { config: { units?: number } }[] };
    };
    (topology.config.layers[1] as { config: { units?: number } }).config.units = 1e6;
    const before = tf.memory().numTensors;
    const call = (modelTopology: unknown) =>
      restoreLayersWeights(
        'toy.restore',
        'encoder',
        target,
        tf.io.fromMemory({ ...artifacts, modelTopology } as tf.io.ModelArtifacts),
      );
    await expect(call(topology)).rejects.toThrow(
      /^toy\.restore: expected part 'encoder' topology layer 1 \(hidden\) units 3 \(the model's\), got 1000000\.$/,
    );
    const fewer = { ...topology, config: { ...topology.config, layers: topology.config.layers.slice(0, 2) } };
    await expect(call(fewer)).rejects.toThrow(
      /^toy\.restore: expected part 'encoder' topology 3 layers \(the model's\), got 2 layers\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(valuesOf(target)).toEqual(untouched);
    source.dispose();
    target.dispose();
  });
});
