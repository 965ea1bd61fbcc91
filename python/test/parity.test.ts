// The PyTorch twins (python/vaejs_torch) against the vaejs models, both ways round. vaejs → torch: one set of weights,
// read out of a vaejs model by @vaejs/training's readModelTensors (the tfjs layout, what `vaejs export` writes), loaded
// into the twin; the same inputs; the same outputs and losses. torch → vaejs: the twin trains two steps, its weights
// go back through writeModelTensors (what `vaejs import` does) into a new vaejs model, which must compute what the
// twin computes. Every model kind and option: the autoencoder family (AE, DAE, VAE, β-VAE, CVAE; MLP and conv; the
// three likelihoods; every activation), the VQ-VAE (EMA or not, restarts, cosine codebook, linear output), the
// PixelCNN prior (gated or masked, conditional or not). The twins are also the anchors of
// benchmarks/backend/native.bench.mjs, so a twin that computed something else would make its figures wrong.
// Needs Debian's python3-torch (`.ci/run` installs it); on CI a missing torch fails the first test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '@vaejs/core';
import { loadMnist } from '@vaejs/datasets';
import { createPixelCnn, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { findTorchPython } from '@vaejs/testing';
import {
  decodeSafetensors,
  disposeOptimizerState,
  encodeSafetensors,
  getOptimizerState,
  optimizerSlotsIn,
  optimizerSlotsOut,
  optimizerStateData,
  readModelTensors,
  type SafetensorsTensor,
  setOptimizerState,
  writeModelTensors,
} from '@vaejs/training';
import { createVae, type Vae, type VaeConfig } from '@vaejs/vae';
import { createVqVae, type VqVae, type VqVaeConfig } from '@vaejs/vqvae';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const torch = findTorchPython();
const work = mkdtempSync(join(tmpdir(), 'vaejs-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Named = Record<string, SafetensorsTensor>;
type Kind = 'vae' | 'vqvae' | 'pixelcnn';

function entry(tensor: tf.Tensor): SafetensorsTensor {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  const data = dtype === 'int32' ? Int32Array.from(tensor.dataSync()) : Float32Array.from(tensor.dataSync());
  return { dtype, shape: [...tensor.shape], data };
}

function named(prefix: string, tensors: Record<string, tf.Tensor>): Named {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`${prefix}/${name}`, entry(t)]));
}

/** The first n MNIST test images, float32 [n, 28, 28, 1] in [0, 1]. */
function mnistImages(n: number): tf.Tensor4D {
  const test = loadMnist({ split: 'test' });
  return tf.tidy(() => tf.div(tf.tensor4d(test.images.slice(0, n * 784), [n, 28, 28, 1], 'int32'), 255));
}

/** One model of the parity suite: how to build it, its inputs, and what to compute on them. */
interface Case {
  name: string;
  kind: Kind;
  build(): TrainableModel;
  inputs(): Record<string, tf.Tensor>;
  /** The EMA codebook update after the forward pass is compared too (the quantiser's non-gradient step). */
  update?: boolean;
}

const vaeCase = (name: string, config: VaeConfig, inputs: () => Record<string, tf.Tensor>): Case => ({
  name,
  kind: 'vae',
  build: () => createVae(config),
  inputs,
});
const vqCase = (name: string, config: VqVaeConfig, inputs: () => Record<string, tf.Tensor>, update = false): Case => ({
  name,
  kind: 'vqvae',
  build: () => createVqVae(config),
  inputs,
  update,
});
const priorCase = (name: string, config: Parameters<typeof createPixelCnn>[0], classes: number[] | null): Case => ({
  name,
  kind: 'pixelcnn',
  build: () => createPixelCnn(config),
  inputs: () => ({
    maps: tf.randomUniform([classes?.length ?? 6, config.height, config.width], 0, config.numCategories, 'int32', 21),
    ...(classes ? { classes: tf.tensor1d(classes, 'int32') } : {}),
  }),
});

const mnist =
  (n = 16) =>
  () => ({ x: mnistImages(n), seed: tf.scalar(11, 'int32') });
const labelled = (n: number, classes: number) => () => ({
  ...mnist(n)(),
  labels: tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % classes),
    'int32',
  ),
});
/** Colour images of an odd size (the conv decoders crop), with labels and a noisy copy (the denoising AE's input). */
const colour = (classes: number) => () => {
  const target = tf.randomUniform([8, 12, 10, 3], 0, 1, 'float32', 31);
  const x = tf.clipByValue(tf.add(target, tf.randomNormal([8, 12, 10, 3], 0, 0.2, 'float32', 32)), 0, 1);
  const labels = tf.tensor1d(
    [0, 1, 2, 3, 0, 1, 2, 3].map((label) => label % Math.max(classes, 1)),
    'int32',
  );
  return { x, target, labels, seed: tf.scalar(12, 'int32') };
};
const mnistVq = { inputShape: [28, 28, 1] as const, dim: 16, codebookSize: 128, encoderFilters: [32, 64] };
const smallVq = (quantizer: VqVaeConfig['quantizer'], extra: Partial<VqVaeConfig> = {}): VqVaeConfig => ({
  inputShape: [12, 8, 3],
  dim: 8,
  codebookSize: 32,
  encoderFilters: [8, 16],
  decoderFilters: [12, 6],
  kernelSize: 4,
  quantizer,
  seed: 7,
  ...extra,
});
const colourVq = () => ({ x: tf.randomUniform([8, 12, 8, 3], 0, 1, 'float32', 33) });

const CASES: Case[] = [
  // the MLP VAE of PyTorch's examples/vae, and @vaejs/vae's default conv VAE
  vaeCase('mlp', { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: [400], seed: 3 }, mnist()),
  vaeCase('conv', { inputShape: [28, 28, 1], latentDim: 16, seed: 4 }, mnist()),
  vaeCase(
    'mlp-ae',
    {
      inputShape: [28, 28, 1],
      latentDim: 8,
      kind: 'ae',
      arch: 'mlp',
      hidden: [64, 32],
      likelihood: 'gaussian',
      activation: 'tanh',
    },
    mnist(),
  ),
  vaeCase(
    'mlp-linear-beta',
    { inputShape: [28, 28, 1], latentDim: 6, kind: 'beta-vae', arch: 'mlp', hidden: [], init: 'pytorch', seed: 2 },
    mnist(),
  ),
  vaeCase(
    'mlp-cvae',
    {
      inputShape: [28, 28, 1],
      latentDim: 4,
      kind: 'cvae',
      numClasses: 10,
      arch: 'mlp',
      hidden: [32],
      likelihood: 'gaussian-learned',
      activation: 'swish',
    },
    labelled(16, 10),
  ),
  vaeCase(
    'conv-dae',
    {
      inputShape: [12, 10, 3],
      latentDim: 5,
      kind: 'dae',
      filters: [8, 16],
      denseUnits: 0,
      activation: 'elu',
      likelihood: 'gaussian',
    },
    colour(0),
  ),
  vaeCase(
    'conv-cvae',
    {
      inputShape: [12, 10, 3],
      latentDim: 6,
      kind: 'cvae',
      numClasses: 4,
      beta: 2,
      filters: [8, 16],
      denseUnits: 32,
      activation: 'selu',
      likelihood: 'gaussian-learned',
      learnedVariance: 'per-pixel',
      init: 'pytorch',
    },
    colour(4),
  ),
  // the mnist-vqvae recipe's model (EMA, restarts), and its EMA update on a model without restarts (they draw)
  vqCase(
    'vqvae',
    { ...mnistVq, dataVariance: 0.0949, quantizer: { ema: true, deadCodeThreshold: 1 }, seed: 5 },
    mnist(),
  ),
  vqCase('vqvae-ema', { ...mnistVq, dataVariance: 0.0949, quantizer: { ema: true }, seed: 5 }, mnist(), true),
  vqCase('vqvae-cosine-ema', smallVq({ ema: true, distance: 'cosine' }), colourVq, true),
  vqCase('vqvae-codebook-loss', smallVq({ ema: false, beta: 0.5 }, { outputActivation: 'linear' }), colourVq),
  vqCase('vqvae-cosine', smallVq({ ema: false, distance: 'cosine' }, { dataVariance: 0.08 }), colourVq),
  // the quantiser family: FSQ at 7 bits (the fsq recipe's levels) and the rotation trick's gradient
  vqCase(
    'vqvae-fsq',
    {
      ...mnistVq,
      dim: 3,
      codebookSize: 128,
      dataVariance: 0.0949,
      quantizer: { kind: 'fsq', levels: [8, 4, 4] },
      seed: 8,
    },
    mnist(),
  ),
  vqCase('vqvae-rotation', smallVq({ ema: false, gradient: 'rotation' }), colourVq),
  vqCase('vqvae-rvq', smallVq({ kind: 'rvq', numQuantizers: 3, ema: false }), colourVq),
  vqCase('vqvae-orthogonal', smallVq({ ema: false, orthogonalWeight: 5 }), colourVq),
  vqCase('vqvae-low-dim', smallVq({ ema: false, codebookDim: 3 }), colourVq),
  vqCase('vqvae-rvq-low-dim-ema', smallVq({ kind: 'rvq', ema: true, codebookDim: 4 }), colourVq),
  vqCase('vqvae-rvq-shared-ema', smallVq({ kind: 'rvq', sharedCodebook: true, ema: true }), colourVq),
  vqCase(
    'vqvae-lfq',
    {
      ...mnistVq,
      dim: 7,
      codebookSize: 128,
      quantizer: { kind: 'lfq', temperature: 0.1, entropyWeight: 0.2 },
      seed: 9,
    },
    mnist(),
  ),
  // the mnist-prior-conditional recipe's prior: 6 gated blocks of 64 channels, 10 classes, K = 128 on 7×7 maps
  priorCase(
    'prior',
    { numCategories: 128, height: 7, width: 7, channels: 64, layers: 6, numClasses: 10, seed: 6 },
    [0, 1, 2, 3, 4, 5, 6, 9],
  ),
  priorCase(
    'prior-unconditional',
    { numCategories: 20, height: 5, width: 6, channels: 16, layers: 3, kernelSize: 5 },
    null,
  ),
  priorCase(
    'masked',
    {
      numCategories: 32,
      height: 7,
      width: 7,
      architecture: 'masked',
      channels: 16,
      layers: 3,
      numClasses: 10,
      seed: 2,
    },
    [0, 3, 5, 9, 1, 2],
  ),
  priorCase(
    'masked-unconditional',
    { numCategories: 16, height: 4, width: 5, architecture: 'masked', kernelSize: 5, channels: 8, layers: 2 },
    null,
  ),
];

/** What vaejs computes for a case: the quantities parity.py computes too (vae_quantities & co). */
function quantities(kind: Kind, model: TrainableModel, inputs: Record<string, tf.Tensor>, update = false) {
  return tf.tidy(() => {
    if (kind === 'vae') {
      const vae = model as Vae;
      const { x, target, labels, seed } = inputs as Record<string, tf.Tensor4D>;
      const { mean, logVar } = vae.encode(x as tf.Tensor4D, labels);
      const parts = vae.lossParts(
        { x: x as tf.Tensor4D, ...(target ? { target } : {}), ...(labels ? { labels } : {}) },
        { seed: (seed as tf.Tensor).dataSync()[0] as number },
      );
      const logVariance = vae.logVariance();
      return {
        mean,
        output: vae.decodeRaw(mean, labels),
        ...parts,
        ...(logVar ? { logVar } : {}),
        ...(logVariance ? { logVariance: tf.reshape(logVariance, [-1]) } : {}),
      } as Record<string, tf.Tensor>;
    }
    if (kind === 'vqvae') {
      const vq = model as VqVae;
      const x = inputs.x as tf.Tensor4D;
      const parts = vq.lossParts({ x });
      const zE = vq.encodeContinuous(x);
      const indices = vq.encode(x);
      const out: Record<string, tf.Tensor> = { ...parts, zE, indices, decoded: vq.decode(indices) };
      const quantizer = vq.quantizer;
      if (update && quantizer.kind === 'vq') {
        tf.dispose(quantizer.update(zE, indices));
        Object.assign(out, {
          emaClusterSize: tf.clone(quantizer.clusterSize),
          emaEmbedSum: tf.clone(quantizer.embedSum),
          emaCodebook: tf.clone(quantizer.codebook),
        });
      }
      return out;
    }
    const prior = model as PixelCnn;
    const maps = inputs.maps as tf.Tensor3D;
    const classes = inputs.classes as tf.Tensor1D | undefined;
    const { loss } = prior.lossParts({ x: maps, ...(classes ? { labels: classes } : {}) });
    return { logits: prior.logits(maps, classes), loss };
  });
}

/** What the twin is given as input (the prior's labels one-hot, as its forward takes them). */
function pythonInputs(kind: Kind, model: TrainableModel, inputs: Record<string, tf.Tensor>): Named {
  if (kind !== 'pixelcnn' || !inputs.classes) return named('input', inputs);
  const classes = (model as PixelCnn).config.numClasses;
  const { classes: labels, ...rest } = inputs;
  return named('input', { ...rest, labels: tf.cast(tf.oneHot(labels as tf.Tensor1D, classes), 'float32') });
}

/** vaejs' trainable order: the weights an Adam step keeps slots for, in the order of its slots. */
async function trainableOrder(build: () => TrainableModel, inputs: Record<string, tf.Tensor>, names: string[]) {
  const model = build();
  const optimizer = tf.train.adam(1e-3);
  // two items are enough to see which weights get slots (a step on the cpu backend costs by the item)
  const two = (tensor?: tf.Tensor) => (tensor ? { value: tf.slice(tensor, 0, 2) } : null);
  const [x, target, labels] = [two(inputs.maps ?? inputs.x), two(inputs.target), two(inputs.classes ?? inputs.labels)];
  const batch = {
    x: x?.value as tf.Tensor,
    ...(target ? { target: target.value } : {}),
    ...(labels ? { labels: labels.value as tf.Tensor1D } : {}),
  };
  tf.dispose(model.trainStep(optimizer, batch, { seed: 1 }));
  tf.dispose(Object.values(batch));
  const state = await getOptimizerState(optimizer);
  const { order } = optimizerSlotsOut('adam', await optimizerStateData(state), names);
  disposeOptimizerState(state);
  optimizer.dispose();
  model.dispose();
  return order;
}

function relative(actual: tf.Tensor, expected: SafetensorsTensor): number {
  const values = actual.dataSync();
  let scale = 1e-12;
  let worst = 0;
  expected.data.forEach((value, i) => {
    scale = Math.max(scale, Math.abs(value));
    worst = Math.max(worst, Math.abs((values[i] as number) - value));
  });
  return worst / scale;
}

const results = new Map<string, Record<string, unknown>>();
const expectations = new Map<string, { parameters: number; names: string[]; trainable: string[] }>();
const back = new Map<string, Record<string, number>>();
const steps = new Map<string, number>();

beforeAll(async () => {
  if (!torch) return;
  const cached = new Map<string, Record<string, tf.Tensor>>();
  for (const c of CASES) {
    const model = c.build();
    const inputs = c.inputs();
    cached.set(c.name, inputs);
    const { manifest, tensors } = await readModelTensors(model);
    const expected = quantities(c.kind, model, inputs, c.update);
    const metadata = { kind: c.kind, config: JSON.stringify(manifest.config), update: String(c.update ?? false) };
    const weights = Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`weights/${name}`, t]));
    const file = { ...weights, ...pythonInputs(c.kind, model, inputs), ...named('expected', expected) };
    writeFileSync(join(work, `${c.name}.safetensors`), encodeSafetensors(file, metadata));
    const trainable = await trainableOrder(c.build, inputs, Object.keys(tensors));
    expectations.set(c.name, {
      parameters: countTrainable(tensors, trainable),
      names: Object.keys(tensors).sort(),
      trainable,
    });
    tf.dispose(expected);
    model.dispose();
  }
  const run = spawnSync(torch, [join(here, 'parity.py'), work, ...CASES.map((c) => c.name)], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(here, '..'), OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) throw new Error(`parity.py failed: ${run.stderr}`);
  for (const line of run.stdout.trim().split('\n')) {
    const result = JSON.parse(line);
    results.set(result.case, result);
  }
  // torch → vaejs: the twin's trained weights in a new vaejs model
  for (const c of CASES) {
    const file = decodeSafetensors(new Uint8Array(readFileSync(join(work, `${c.name}.back.safetensors`))));
    const { tensors } = file;
    const model = c.build();
    const split = (prefix: string) =>
      Object.fromEntries(
        Object.entries(tensors)
          .filter(([name]) => name.startsWith(prefix))
          .map(([name, t]) => [name.slice(prefix.length), t]),
      );
    await writeModelTensors(model, split('weights/'));
    const expected = split('expected/');
    const computed = quantities(c.kind, model, cached.get(c.name) as Record<string, tf.Tensor>, c.update);
    back.set(
      c.name,
      Object.fromEntries(
        Object.entries(expected).map(([name, value]) => {
          const actual = computed[name] as tf.Tensor;
          if (name !== 'indices') return [name, relative(actual, value)];
          return ['indicesDiffer', (actual.dataSync() as Int32Array).filter((v, i) => v !== value.data[i]).length];
        }),
      ),
    );
    tf.dispose(computed);
    model.dispose();
    const next = split('next/');
    if (Object.keys(next).length > 0) {
      const order = JSON.parse(file.metadata.order ?? '[]') as string[];
      steps.set(c.name, await stepFromSlots(c, split('weights/'), split('slots/'), order, next, cached.get(c.name)));
    }
  }
  for (const inputs of cached.values()) tf.dispose(inputs);
  // 100 s alone on 2 cores; beside the rest of the suite it took more than 240
}, 900_000);

/**
 * The twin's Adam state, as tfjs slots, in a vaejs Adam over the twin's weights; one vaejs step (the posterior noise of
 * seed 5, as the twin drew it); the largest difference, relative to each tensor's scale, from the twin's own step.
 */
async function stepFromSlots(
  c: Case,
  weights: Named,
  slots: Named,
  order: string[],
  next: Named,
  inputs: Record<string, tf.Tensor> | undefined,
): Promise<number> {
  const model = c.build();
  await writeModelTensors(model, weights);
  const shapes = Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, t.shape]));
  const state = optimizerSlotsIn('adam', slots, order, shapes).map(({ name, tensor }) => ({
    name,
    tensor: tf.tensor(tensor.data, tensor.shape, tensor.dtype as 'float32' | 'int32'),
  }));
  const optimizer = tf.train.adam(1e-2);
  await setOptimizerState(optimizer, state);
  tf.dispose(state.map((slot) => slot.tensor));
  // the first 4 items, as the twin's step took (a conv step on the cpu backend costs by the item)
  const given = Object.fromEntries(
    Object.entries(inputs as Record<string, tf.Tensor>).map(([name, t]) => [name, t.rank > 0 ? tf.slice(t, 0, 4) : t]),
  );
  const batch =
    c.kind === 'pixelcnn'
      ? { x: given.maps as tf.Tensor, ...(given.classes ? { labels: given.classes as tf.Tensor1D } : {}) }
      : {
          x: given.x as tf.Tensor,
          ...(given.target ? { target: given.target } : {}),
          ...(given.labels ? { labels: given.labels as tf.Tensor1D } : {}),
        };
  tf.dispose(model.trainStep(optimizer, batch, { seed: 5 }));
  tf.dispose(
    Object.entries(given)
      .filter(([name]) => (inputs as Record<string, tf.Tensor>)[name] !== given[name])
      .map(([, t]) => t),
  );
  const { tensors } = await readModelTensors(model);
  optimizer.dispose();
  model.dispose();
  return Math.max(
    ...Object.entries(next).map(([name, expected]) => {
      const actual = tensors[name] as SafetensorsTensor;
      let scale = 1e-12;
      let worst = 0;
      expected.data.forEach((value, i) => {
        scale = Math.max(scale, Math.abs(value));
        worst = Math.max(worst, Math.abs((actual.data[i] as number) - value));
      });
      return worst / scale;
    }),
  );
}

/** Trainable parameters: the sizes of the weights an optimizer updates. */
function countTrainable(tensors: Named, trainable: string[]): number {
  return trainable.reduce((sum, name) => sum + (tensors[name]?.data.length ?? 0), 0);
}

const PARTS: Record<Kind, string[]> = {
  vae: ['mean', 'logVar', 'output', 'loss', 'reconstruction', 'kl', 'logVariance'],
  vqvae: [
    'zE',
    'loss',
    'reconstruction',
    'reconstructionMse',
    'codebook',
    'commitment',
    'perplexity',
    'usage',
    'decoded',
  ],
  pixelcnn: ['logits', 'loss'],
};
const UPDATE_PARTS = ['emaClusterSize', 'emaEmbedSum', 'emaCodebook'];

describe('the PyTorch twins compute what the vaejs models compute', () => {
  it('torch is installed (python3-torch; required on CI)', () => {
    if (process.env.CI) expect(torch, 'a python that imports torch').not.toBeNull();
  });

  describe.runIf(torch !== null).each(CASES)('$name ($kind)', (c) => {
    it('the same tensors by name, vaejs’ trainable order, parameter count, and an exact round trip of the weights', () => {
      const result = results.get(c.name) ?? {};
      const expected = expectations.get(c.name);
      expect([...(result.names as string[])].sort()).toEqual(expected?.names);
      expect(result.trainable).toEqual(expected?.trainable);
      expect(result.parameters).toBe(expected?.parameters);
      expect(result.roundTrip).toBe(true);
    });

    it('vaejs → torch: the same outputs and losses within 1e-5 (codes identical)', () => {
      const result = results.get(c.name) ?? {};
      const parts = [...PARTS[c.kind], ...(c.update ? UPDATE_PARTS : [])].filter((part) => part in result);
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) expect(result[part], part).toBeLessThan(1e-5);
      if (c.kind === 'vqvae') expect(result.indicesDiffer).toBe(0);
    });

    it.runIf(!(c.kind === 'vqvae' && c.name === 'vqvae'))(
      'the optimizer across: from the twin’s Adam state (tfjs slots), vaejs takes the twin’s next step',
      () => {
        const worst = steps.get(c.name);
        expect(worst).toBeDefined();
        // an Adam step divides by √v̂: weights whose gradient is near 0 turn rounding into a visible step
        expect(worst).toBeLessThan(1e-4);
      },
    );

    it('torch → vaejs: the twin’s trained weights give vaejs the twin’s outputs and losses within 1e-5', () => {
      const result = back.get(c.name) ?? {};
      const parts = Object.keys(result).filter((part) => part !== 'indicesDiffer');
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) expect(result[part], part).toBeLessThan(1e-5);
      if (c.kind === 'vqvae') expect(result.indicesDiffer).toBe(0);
    });
  });
});
