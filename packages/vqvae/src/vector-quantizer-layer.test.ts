import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { VectorQuantizerLayer } from './vector-quantizer-layer';

function quantizerModel(config: ConstructorParameters<typeof VectorQuantizerLayer>[0]['quantizer']) {
  const input = tfl.input({ shape: [3, 3, config.dim] });
  const layer = new VectorQuantizerLayer({ quantizer: config });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  return { model, layer };
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // Through JSON, as a file or a URL would give it.
  const json = JSON.parse(JSON.stringify({ ...saved, weightData: undefined })) as tf.io.ModelArtifacts;
  return tfl.loadLayersModel(tf.io.fromMemory({ ...json, weightData: saved?.weightData }));
}

describe('VectorQuantizerLayer', () => {
  it('outputs the nearest codes, and passes the gradient straight through', () => {
    const { model, layer } = quantizerModel({ dim: 4, codebookSize: 6 });
    const z = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1);
    const out = model.predict(z) as tf.Tensor;
    const vq = layer.quantizer;
    expect(Array.from(out.dataSync())).toEqual(Array.from(vq.lookup(vq.encode(z)).dataSync()));
    const w = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 2);
    const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, w)))(z);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(layer.trainableWeights.map((weight) => weight.name.split('/').pop())).toEqual(['codebook']);
    model.dispose();
  });

  it('saves and loads codebook, EMA state and settings in the tfjs format', async () => {
    const { model, layer } = quantizerModel({
      dim: 2,
      codebookSize: 4,
      ema: true,
      distance: 'cosine',
      kmeansIterations: 3,
    });
    const z = tf.randomNormal([20, 2], 0, 1, 'float32', 3);
    layer.quantizer.initialize(z);
    layer.quantizer.update(z).restarted.dispose();
    const loaded = await roundTrip(model);
    const loadedLayer = loaded.layers.find((l) => l instanceof VectorQuantizerLayer) as VectorQuantizerLayer;
    expect(loadedLayer.quantizerConfig).toEqual(layer.quantizerConfig);
    expect(loadedLayer.quantizer.initialized).toBe(true);
    for (const name of ['codebook', 'clusterSize', 'embedSum'] as const) {
      expect(Array.from(loadedLayer.quantizer[name].dataSync())).toEqual(Array.from(layer.quantizer[name].dataSync()));
    }
    expect(loadedLayer.trainableWeights).toEqual([]); // ema: the codebook is not trained by gradients
    const input = tf.randomNormal([1, 3, 3, 2], 0, 1, 'float32', 4);
    expect(Array.from((loaded.predict(input) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(input) as tf.Tensor).dataSync()),
    );
    model.dispose();
    loaded.dispose();
  });

  it('frees its variables with its model', () => {
    const before = tf.memory().numTensors;
    quantizerModel({ dim: 2, codebookSize: 4 }).model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid settings and use before build', () => {
    expect(() => new VectorQuantizerLayer({ quantizer: { dim: 2, codebookSize: 0 } })).toThrow(
      /^VectorQuantizerLayer: expected config\.codebookSize a positive integer, got 0\.$/,
    );
    expect(() => new VectorQuantizerLayer({ quantizer: { dim: 2, codebookSize: 3 } }).quantizer).toThrow(
      /^VectorQuantizerLayer\.quantizer: expected a built layer, got none\.$/,
    );
  });
});
