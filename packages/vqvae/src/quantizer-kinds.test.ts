import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memoryStore, read } from './__fixtures__/memory-store';

/** The values of a tensor that must stay alive (a variable). */
const values = (t: tf.Tensor) => Array.from(t.dataSync());

import type { VqVaeConfig } from './config';
import { createVqVae, loadVqVae } from './vqvae';

// 8×8×1 images → 2×2 codes; FSQ [4, 3, 2]: D = 3 channels, K = 24 codes.
const FSQ: VqVaeConfig = {
  inputShape: [8, 8, 1],
  dim: 3,
  codebookSize: 24,
  encoderFilters: [4, 6],
  quantizer: { kind: 'fsq', levels: [4, 3, 2] },
};
const images = (n: number, seed = 1) => tf.randomUniform([n, 8, 8, 1], 0, 1, 'float32', seed);

describe('a VQ-VAE with finite scalar quantisation', () => {
  it('has nothing to learn in its quantiser, trains the rest, and codes index the fixed grid', () => {
    const vqvae = createVqVae(FSQ);
    expect(vqvae.quantizer.kind).toBe('fsq');
    expect(vqvae.quantizer.trainableVariables).toEqual([]);
    expect(vqvae.quantizer.codebook.shape).toEqual([24, 3]);
    const x = images(16);
    const optimizer = tf.train.adam(0.01);
    const first = vqvae.trainStep(optimizer, { x });
    const firstLoss = first.loss.dataSync()[0] as number;
    expect(first.codebook.dataSync()[0]).toBe(0);
    expect(first.commitment.dataSync()[0]).toBe(0);
    tf.dispose(Object.values(first));
    const grid = values(vqvae.quantizer.codebook);
    let last = firstLoss;
    for (let step = 0; step < 30; step++) {
      const parts = vqvae.trainStep(optimizer, { x });
      last = parts.loss.dataSync()[0] as number;
      tf.dispose(Object.values(parts));
    }
    expect(last).toBeLessThan(firstLoss * 0.9);
    expect(values(vqvae.quantizer.codebook)).toEqual(grid);
    const codes = vqvae.encode(x);
    expect(codes.shape).toEqual([16, 2, 2]);
    expect(Math.max(...values(codes))).toBeLessThan(24);
    const decoded = vqvae.decode(codes);
    expect(read(decoded)).toEqual(read(vqvae.reconstruct(x)));
    tf.dispose([x, codes, decoded]);
    optimizer.dispose();
    vqvae.dispose();
  });

  it('saves and loads through the checkpoint, config and outputs alike', async () => {
    const vqvae = createVqVae(FSQ);
    const store = memoryStore();
    const manifest = await vqvae.save(store.save);
    expect(manifest.config.quantizer.kind).toBe('fsq');
    const loaded = await loadVqVae(JSON.parse(JSON.stringify(manifest)), store.load);
    expect(loaded.config).toEqual(vqvae.config);
    const x = images(4, 2);
    expect(read(loaded.encode(x))).toEqual(read(vqvae.encode(x)));
    expect(read(loaded.reconstruct(x))).toEqual(read(vqvae.reconstruct(x)));
    vqvae.dispose();
    loaded.dispose();
  });

  it('refuses sizes that do not match the levels, and the codebook settings FSQ has no use for', () => {
    expect(() => createVqVae({ ...FSQ, dim: 4 })).toThrow(
      /^createVqVae: expected config\.dim 3 \(one channel per FSQ level\), got 4\.$/,
    );
    expect(() => createVqVae({ ...FSQ, codebookSize: 32 })).toThrow(
      /^createVqVae: expected config\.codebookSize 24 \(the product of quantizer\.levels \[4, 3, 2\]\), got 32\.$/,
    );
    expect(() => createVqVae({ ...FSQ, quantizer: { kind: 'fsq', levels: [4, 3, 2], ema: true } })).toThrow(
      /expected config\.quantizer\.ema false with kind 'fsq'/,
    );
    expect(() => createVqVae({ ...FSQ, quantizer: { kind: 'vq', levels: [4, 3, 2] } })).toThrow(
      /expected config\.quantizer\.levels none with kind 'vq'/,
    );
    expect(() => createVqVae({ ...FSQ, quantizer: { kind: 'pq' as 'vq' } })).toThrow(/config\.quantizer\.kind/);
    expect(() => createVqVae({ ...FSQ, quantizer: { kind: 'fsq', levels: [4, 3, 2], temperature: 1 } })).toThrow(
      /expected config\.quantizer\.temperature 0\.01 with kind 'fsq' \(LFQ's entropy penalty\), got 1\.$/,
    );
  });
});

describe('a VQ-VAE with lookup-free quantisation', () => {
  // D = 3 bits, K = 8 codes
  const LFQ: VqVaeConfig = {
    inputShape: [8, 8, 1],
    dim: 3,
    codebookSize: 8,
    encoderFilters: [4, 6],
    quantizer: { kind: 'lfq', entropyWeight: 0.2 },
  };

  it('trains with its entropy penalty and commitment loss, and saves and loads', async () => {
    const vqvae = createVqVae(LFQ);
    expect(vqvae.quantizer.kind).toBe('lfq');
    expect(vqvae.quantizer.trainableVariables).toEqual([]);
    const x = images(16, 4);
    const optimizer = tf.train.adam(0.01);
    const first = vqvae.trainStep(optimizer, { x });
    const [loss, entropy, commitment] = [first.loss, first.codebook, first.commitment].map((t) => t.dataSync()[0]);
    const reconstruction = first.reconstructionMse.dataSync()[0] as number;
    // loss = mse + 0.2·entropy + 0.25·commitment (the recorded loss is before the step)
    expect(loss).toBeCloseTo(reconstruction + 0.2 * (entropy as number) + 0.25 * (commitment as number), 5);
    tf.dispose(Object.values(first));
    for (let step = 0; step < 20; step++) tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    const after = vqvae.lossParts({ x });
    expect(after.loss.dataSync()[0]).toBeLessThan(loss as number);
    tf.dispose(Object.values(after));
    const store = memoryStore();
    const manifest = await vqvae.save(store.save);
    const loaded = await loadVqVae(JSON.parse(JSON.stringify(manifest)), store.load);
    expect(loaded.config.quantizer.entropyWeight).toBe(0.2);
    expect(read(loaded.encode(x))).toEqual(read(vqvae.encode(x)));
    expect(() => createVqVae({ ...LFQ, codebookSize: 16 })).toThrow(
      /^createVqVae: expected config\.codebookSize 8 \(2\^dim with kind 'lfq'\), got 16\.$/,
    );
    tf.dispose(x);
    optimizer.dispose();
    vqvae.dispose();
    loaded.dispose();
  });
});

describe('a VQ-VAE with residual quantisation', () => {
  // 2 levels of K = 8 codes of D = 4, EMA and restarts on each
  const RVQ: VqVaeConfig = {
    inputShape: [8, 8, 1],
    dim: 4,
    codebookSize: 8,
    encoderFilters: [4, 6],
    quantizer: { kind: 'rvq', ema: true, deadCodeThreshold: 0.5, quantizerDropout: true },
  };

  it('trains, encodes a code per level, decodes any prefix, reports the first level’s use, saves and loads', async () => {
    const vqvae = createVqVae(RVQ);
    expect(vqvae.config.quantizer.numQuantizers).toBe(2);
    const x = images(16, 5);
    const optimizer = tf.train.adam(0.01);
    for (let step = 0; step < 5; step++) tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    const codes = vqvae.encode(x);
    expect(codes.shape).toEqual([16, 2, 2, 2]);
    const full = vqvae.decode(codes);
    expect(values(full)).toEqual(values(vqvae.reconstruct(x)));
    const coarse = vqvae.decode(tf.slice(codes, [0, 0, 0, 0], [16, 2, 2, 1]));
    expect(values(coarse)).not.toEqual(values(full));
    expect(() => vqvae.decode(tf.zeros([1, 2, 2], 'int32'))).toThrow(/^vqvae\.decode: expected indices rank 4/);
    const metrics = await vqvae.epochMetrics({ x });
    expect(metrics.code_usage).toBeGreaterThan(0);
    expect(metrics.code_usage).toBeLessThanOrEqual(1);
    const store = memoryStore();
    const manifest = await vqvae.save(store.save);
    const loaded = await loadVqVae(JSON.parse(JSON.stringify(manifest)), store.load);
    expect(read(loaded.encode(x))).toEqual(values(codes));
    expect(loaded.quantizer.getRngState()).toEqual(vqvae.quantizer.getRngState());
    expect(() => createVqVae({ ...RVQ, quantizer: { kind: 'rvq', distance: 'cosine' } })).toThrow(
      /expected config\.quantizer\.distance "euclidean" with kind 'rvq'/,
    );
    expect(() => createVqVae({ ...RVQ, quantizer: { numQuantizers: 3 } })).toThrow(
      /expected config\.quantizer\.numQuantizers 1 with kind 'vq' \(residual VQ's levels\), got 3\.$/,
    );
    tf.dispose([x, codes, full, coarse]);
    optimizer.dispose();
    vqvae.dispose();
    loaded.dispose();
  });
});

describe('a VQ-VAE with codes in a lower dimension', () => {
  it('trains the maps with the networks and saves and loads them', async () => {
    const vqvae = createVqVae({
      inputShape: [8, 8, 1],
      dim: 6,
      codebookSize: 8,
      encoderFilters: [4, 6],
      quantizer: { codebookDim: 2 },
    });
    expect(vqvae.quantizer.codebook.shape).toEqual([8, 2]);
    const x = images(8, 6);
    const optimizer = tf.train.adam(0.01);
    const kernel = () => {
      const weight = vqvae.quantizerModel.weights.find((w) => w.name.includes('project_in_kernel'));
      return values(weight?.read() as tf.Tensor);
    };
    const before = kernel();
    tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
    expect(kernel()).not.toEqual(before);
    const store = memoryStore();
    const manifest = await vqvae.save(store.save);
    const loaded = await loadVqVae(JSON.parse(JSON.stringify(manifest)), store.load);
    expect(read(loaded.reconstruct(x))).toEqual(read(vqvae.reconstruct(x)));
    tf.dispose(x);
    optimizer.dispose();
    vqvae.dispose();
    loaded.dispose();
  });
});

describe('the rotation trick in a VQ-VAE', () => {
  const VQ: VqVaeConfig = { inputShape: [8, 8, 1], dim: 4, codebookSize: 8, encoderFilters: [4, 6] };

  it('gives the same forward pass as straight-through and other encoder gradients', () => {
    const weightsAfterStep = (gradient: 'straight-through' | 'rotation') => {
      const vqvae = createVqVae({ ...VQ, quantizer: { gradient } });
      const optimizer = tf.train.sgd(0.1);
      const x = images(8, 3);
      const parts = vqvae.lossParts({ x });
      const loss = parts.loss.dataSync()[0] as number;
      tf.dispose(Object.values(parts));
      tf.dispose(Object.values(vqvae.trainStep(optimizer, { x })));
      const encoder = vqvae.encoder.getWeights().flatMap((w) => values(w));
      vqvae.dispose();
      optimizer.dispose();
      x.dispose();
      return { loss, encoder };
    };
    const straight = weightsAfterStep('straight-through');
    const rotated = weightsAfterStep('rotation');
    expect(rotated.loss).toBeCloseTo(straight.loss, 5);
    const changed = rotated.encoder.filter((w, i) => Math.abs(w - (straight.encoder[i] as number)) > 1e-7).length;
    expect(changed).toBeGreaterThan(rotated.encoder.length / 4);
  });
});
