// The PyTorch twins (python/vaejs_torch) against the vaejs models: one set of weights, written by vaejs in the tfjs
// layout, loaded into both; the same inputs; the same outputs and losses. The twins are the anchors of
// benchmarks/backend/native.bench.mjs, so a twin that computed something else would make its figures wrong.
// Needs Debian's python3-torch (`.ci/run` installs it); on CI a missing torch fails the first test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '@vaejs/core';
import { loadMnist } from '@vaejs/datasets';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';
import { encodeSafetensors, type SafetensorsTensor } from '@vaejs/training';
import { createVae } from '@vaejs/vae';
import { createVqVae } from '@vaejs/vqvae';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTorchPython } from './torch-python';

const here = dirname(fileURLToPath(import.meta.url));
const torch = findTorchPython();
const work = mkdtempSync(join(tmpdir(), 'vaejs-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Named = Record<string, SafetensorsTensor>;
type WeightedModel = { weights: { originalName: string; read(): tf.Tensor }[] };

function entry(tensor: tf.Tensor): SafetensorsTensor {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  const data = dtype === 'int32' ? Int32Array.from(tensor.dataSync()) : Float32Array.from(tensor.dataSync());
  return { dtype, shape: [...tensor.shape], data };
}

function weightsOf(...models: WeightedModel[]): Named {
  const out: Named = {};
  for (const model of models) {
    for (const weight of model.weights) out[`weights/${weight.originalName}`] = entry(weight.read());
  }
  return out;
}

/** Trainable parameters (the EMA codebook and its buffers are weights, not trainable, on both sides). */
function trainableCount(...models: { trainableWeights: { shape: (number | null)[] }[] }[]): number {
  const size = (shape: (number | null)[]) => shape.reduce<number>((a, b) => a * (b ?? 1), 1);
  return models.reduce((sum, model) => sum + model.trainableWeights.reduce((s, w) => s + size(w.shape), 0), 0);
}

function namedOf(prefix: string, tensors: Record<string, tf.Tensor>): Named {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`${prefix}/${name}`, entry(t)]));
}

/** The first n MNIST test images, float32 [n, 28, 28, 1] in [0, 1]. */
function mnistImages(n: number): tf.Tensor4D {
  const test = loadMnist({ split: 'test' });
  return tf.tidy(() => tf.div(tf.tensor4d(test.images.slice(0, n * 784), [n, 28, 28, 1], 'int32'), 255));
}

function write(name: string, config: object, tensors: Named): void {
  writeFileSync(join(work, `${name}.safetensors`), encodeSafetensors(tensors, { config: JSON.stringify(config) }));
}

const results = new Map<string, Record<string, number | boolean | string>>();
const parameters = new Map<string, number>();

beforeAll(() => {
  if (!torch) return;
  const x = mnistImages(16);
  // the MLP VAE of PyTorch's examples/vae, and @vaejs/vae's default conv VAE
  for (const [name, config] of [
    ['mlp', { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: [400], seed: 3 }],
    ['conv', { inputShape: [28, 28, 1], latentDim: 16, seed: 4 }],
  ] as const) {
    const vae = createVae(config);
    const seed = 11;
    tf.tidy(() => {
      const [mean, logVar] = vae.encoder.predict(x) as tf.Tensor[];
      const eps = tf.randomNormal((mean as tf.Tensor).shape, 0, 1, 'float32', tfSeed(seed));
      const z = tf.add(mean as tf.Tensor, tf.mul(eps, tf.exp(tf.mul(logVar as tf.Tensor, 0.5))));
      const logits = vae.decoder.predict(z) as tf.Tensor;
      const parts = vae.lossParts({ x }, { seed });
      write(name, vae.config, {
        ...weightsOf(vae.encoder, vae.decoder),
        ...namedOf('input', { x, eps }),
        ...namedOf('expected', { mean: mean as tf.Tensor, logVar: logVar as tf.Tensor, logits, ...parts }),
      });
    });
    parameters.set(name, trainableCount(vae.encoder, vae.decoder));
    vae.dispose();
  }
  // the mnist-vqvae recipe's model (EMA, restarts), and one EMA update on a model without restarts (they draw)
  for (const [name, threshold] of [
    ['vqvae', 1],
    ['vqvae-ema', 0],
  ] as const) {
    const vq = createVqVae({
      inputShape: [28, 28, 1],
      dim: 16,
      codebookSize: 128,
      encoderFilters: [32, 64],
      dataVariance: 0.0949,
      quantizer: { ema: true, deadCodeThreshold: threshold },
      seed: 5,
    });
    tf.tidy(() => {
      const weights = weightsOf(vq.encoder, vq.quantizerModel, vq.decoder);
      const zE = vq.encodeContinuous(x);
      const indices = vq.encode(x);
      const parts = vq.lossParts({ x });
      const expected: Record<string, tf.Tensor> = { ...parts, zE, indices };
      if (threshold === 0) {
        tf.dispose(vq.quantizer.update(zE, indices));
        expected.emaClusterSize = vq.quantizer.clusterSize;
        expected.emaEmbedSum = vq.quantizer.embedSum;
        expected.emaCodebook = vq.quantizer.codebook;
      }
      write(name, vq.config, { ...weights, ...namedOf('input', { x }), ...namedOf('expected', expected) });
    });
    parameters.set(name, trainableCount(vq.encoder, vq.quantizerModel, vq.decoder));
    vq.dispose();
  }
  // the mnist-prior-conditional recipe's prior: 6 gated blocks of 64 channels, 10 classes, K = 128 on 7×7 maps
  const prior = createPixelCnn({
    numCategories: 128,
    height: 7,
    width: 7,
    channels: 64,
    layers: 6,
    numClasses: 10,
    seed: 6,
  });
  tf.tidy(() => {
    const maps = tf.randomUniform([8, 7, 7], 0, 128, 'int32', 21) as tf.Tensor3D;
    const classes = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 9], 'int32');
    const labels = tf.oneHot(classes, 10);
    const logits = prior.logits(maps, classes);
    const { loss } = prior.lossParts({ x: maps, labels: classes });
    write('prior', prior.config, {
      ...weightsOf(prior.network),
      ...namedOf('input', { maps, labels: tf.cast(labels, 'float32') }),
      ...namedOf('expected', { logits, loss }),
    });
  });
  parameters.set('prior', trainableCount(prior.network));
  prior.dispose();
  x.dispose();
  const run = spawnSync(torch, [join(here, 'parity.py'), work, 'mlp', 'conv', 'vqvae', 'vqvae-ema', 'prior'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(here, '..'), OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) throw new Error(`parity.py failed: ${run.stderr}`);
  for (const line of run.stdout.trim().split('\n')) {
    const result = JSON.parse(line);
    results.set(result.model, result);
  }
}, 120_000);

describe('the PyTorch twins compute what the vaejs models compute', () => {
  it('torch is installed (python3-torch; required on CI)', () => {
    if (process.env.CI) expect(torch, 'a python that imports torch').not.toBeNull();
  });

  describe.runIf(torch !== null)('on one set of weights', () => {
    it.each(['mlp', 'conv'])('%s VAE: the same parameters, encoder, decoder logits and loss parts', (name) => {
      const result = results.get(name) ?? {};
      expect(result.parameters).toBe(parameters.get(name));
      expect(result.roundTrip).toBe(true);
      for (const part of ['mean', 'logVar', 'logits', 'loss', 'reconstruction', 'kl']) {
        expect(result[part], part).toBeLessThan(1e-5);
      }
    });

    it('VQ-VAE (the mnist-vqvae recipe): the same parameters, z_e, codes and loss parts', () => {
      const result = results.get('vqvae') ?? {};
      expect(result.parameters).toBe(parameters.get('vqvae'));
      expect(result.roundTrip).toBe(true);
      expect(result.indicesDiffer).toBe(0);
      for (const part of [
        'zE',
        'loss',
        'reconstruction',
        'reconstructionMse',
        'codebook',
        'commitment',
        'perplexity',
        'usage',
      ]) {
        expect(result[part], part).toBeLessThan(1e-5);
      }
    });

    it('VQ-VAE: one EMA codebook update gives the same cluster sizes, sums and codebook', () => {
      const result = results.get('vqvae-ema') ?? {};
      expect(result.indicesDiffer).toBe(0);
      for (const part of ['emaClusterSize', 'emaEmbedSum', 'emaCodebook'])
        expect(result[part], part).toBeLessThan(1e-5);
    });

    it('gated PixelCNN prior (the mnist-prior-conditional recipe): the same parameters, logits and loss', () => {
      const result = results.get('prior') ?? {};
      expect(result.parameters).toBe(parameters.get('prior'));
      expect(result.roundTrip).toBe(true);
      expect(result.logits).toBeLessThan(1e-5);
      expect(result.loss).toBeLessThan(1e-5);
    });
  });
});
