// A small TrainableModel for fit's own tests: a linear autoencoder with a random term per step (so that step seeds
// matter), saved as one part through tf.io. The model packages' own implementations are tested in test/.
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  type ModelLoader,
  type ModelManifest,
  modelSize,
  type PartIO,
  type TrainableModel,
  type TrainBatch,
} from '@vaejs/core';
import { createDataset, type ImageDataset } from '@vaejs/datasets';

export interface TinyModel extends TrainableModel {
  weights(): Float32Array;
  readonly variables: tf.Variable[];
}

export function createTinyModel(
  options: { pixels?: number; code?: number; seed?: number; failAt?: number } = {},
): TinyModel {
  const pixels = options.pixels ?? 16;
  const code = options.code ?? 3;
  const encoder = tf.variable(tf.randomNormal([pixels, code], 0, 0.1, 'float32', options.seed ?? 1), true, undefined);
  const decoder = tf.variable(tf.randomNormal([code, pixels], 0, 0.1, 'float32', (options.seed ?? 1) + 1));
  const variables = [encoder, decoder];
  let steps = 0;
  const loss = (batch: TrainBatch, seed: number) => {
    const x = tf.reshape(batch.x, [batch.x.shape[0] ?? 0, pixels]);
    const target = batch.target ? tf.reshape(batch.target, [batch.x.shape[0] ?? 0, pixels]) : x;
    const noise = tf.randomNormal([x.shape[0] ?? 0, code], 0, 0.01, 'float32', seed);
    const output = tf.matMul(tf.add(tf.matMul(x, encoder), noise), decoder);
    const reconstruction = tf.mean(tf.sum(tf.square(tf.sub(output, target)), 1)) as tf.Scalar;
    const penalty = tf.mul(tf.sum(tf.square(encoder)), 0.01) as tf.Scalar;
    return { loss: tf.add(reconstruction, penalty) as tf.Scalar, reconstruction, penalty };
  };
  const model: TinyModel = {
    variables,
    trainStep(optimizer, batch, stepOptions = {}) {
      steps++;
      if (options.failAt !== undefined && steps >= options.failAt) {
        return { loss: tf.scalar(Number.NaN), reconstruction: tf.scalar(Number.NaN), penalty: tf.scalar(0) };
      }
      return tf.tidy(() => {
        let kept: Record<string, tf.Scalar> = {};
        const value = optimizer.minimize(
          () => {
            const parts = loss(batch, (stepOptions.seed as number) ?? 0);
            kept = { reconstruction: tf.keep(parts.reconstruction), penalty: tf.keep(parts.penalty) };
            return parts.loss;
          },
          true,
          variables,
        ) as tf.Scalar;
        return { loss: value, ...kept };
      });
    },
    lossParts: (batch, partOptions = {}) => tf.tidy(() => loss(batch, partOptions.seed ?? 0)),
    async save(io: PartIO): Promise<ModelManifest> {
      const { data, specs } = await tf.io.encodeWeights(
        variables.map((variable, i) => ({ name: `w${i}`, tensor: variable })),
      );
      await io('weights').save!({
        modelTopology: { tiny: true },
        weightSpecs: specs,
        weightData: data,
        format: 'tiny',
      });
      return { format: 'vaejs-tiny', version: 1, parts: ['weights'], config: { pixels, code } };
    },
    async restore(manifest: unknown, io: PartIO) {
      const candidate = manifest as ModelManifest;
      if (candidate?.format !== 'vaejs-tiny')
        throw new CheckpointError(`tiny.restore: expected format 'vaejs-tiny', got ${candidate?.format}.`);
      const artifacts = await io('weights').load!();
      const map = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
      variables.forEach((variable, i) => {
        variable.assign(map[`w${i}`] as tf.Tensor);
      });
      tf.dispose(Object.values(map));
    },
    async previews(sample) {
      const images = tf.tidy(() => tf.clipByValue(sample.target ?? sample.x, 0, 1) as tf.Tensor4D);
      return { inputs: { images, columns: 4 }, norms: { counts: [1, 2, 3], title: 'norms' } };
    },
    weights: () => Float32Array.from([...encoder.dataSync(), ...decoder.dataSync()]),
    dispose: () => tf.dispose(variables),
  };
  return model;
}

/** `count` random 4×4 grey images with labels, seeded. */
export function tinyDataset(count: number, seed = 0, name = 'tiny'): ImageDataset {
  const images = new Uint8Array(count * 16);
  let state = seed + 1;
  for (let i = 0; i < images.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    images[i] = state % 256;
  }
  return createDataset({
    name,
    imageShape: [4, 4, 1],
    images,
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
  });
}

/** The tiny model's loader, as a model package exports one (`createRunReader([tinyLoader])`). */
export const tinyLoader: ModelLoader<TinyModel> = {
  kind: 'tiny',
  async load(manifest, io) {
    const model = createTinyModel((manifest as { config: { pixels: number; code: number } }).config);
    await model.restore(manifest, io as PartIO);
    return model;
  },
  create: (config) => createTinyModel(config as { pixels: number; code: number }),
  estimate(config, batchSize) {
    const { pixels = 16, code = 3 } = config as { pixels?: number; code?: number };
    return modelSize({ parameters: 2 * pixels * code, activationsPerItem: pixels + code }, batchSize);
  },
};
