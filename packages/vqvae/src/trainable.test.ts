// The VQ-VAE as `fit` drives it: the TrainableModel contract of @vaejs/core, epoch metrics and previews.
import * as tf from '@tensorflow/tfjs-core';
import type { Preview, TrainableModel, TrainBatch } from '@vaejs/core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { read } from './__fixtures__/memory-store';
import { codePerplexity, codeUsage } from './code-metrics';
import type { VqVaeConfig } from './config';
import { createVqVae, loadVqVae, type VqVae, type VqVaeStepResult } from './vqvae';

const created: VqVae[] = [];
function model(config: VqVaeConfig): VqVae {
  const vqvae = createVqVae(config);
  created.push(vqvae);
  return vqvae;
}
afterEach(() => {
  while (created.length > 0) created.pop()?.dispose();
});

const TINY: VqVaeConfig = { inputShape: [8, 8, 1], dim: 4, codebookSize: 8, encoderFilters: [4, 6] };
const images = (n: number, seed = 1) => tf.randomUniform([n, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
const value = (scalar: tf.Scalar) => read(scalar)[0] as number;

describe('TrainableModel contract', () => {
  it('is implemented by the objects createVqVae and loadVqVae return (type level)', () => {
    const trainable: TrainableModel = model(TINY);
    expect(typeof trainable.restore).toBe('function');
    expectTypeOf(createVqVae).returns.toMatchTypeOf<TrainableModel>();
    expectTypeOf(loadVqVae).returns.resolves.toMatchTypeOf<TrainableModel>();
    expectTypeOf<VqVaeStepResult>().toMatchTypeOf<Record<string, tf.Scalar>>();
    expectTypeOf<ReturnType<VqVae['lossParts']>>().toMatchTypeOf<Record<string, tf.Scalar>>();
    expectTypeOf<Awaited<ReturnType<VqVae['epochMetrics']>>>().toMatchTypeOf<Record<string, number>>();
  });

  it('takes a TrainBatch (labels ignored) and TrainStepOptions with a per-step beta', () => {
    const vqvae = model(TINY);
    const x = images(3);
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    const batch: TrainBatch = { x, labels };
    const plain = vqvae.lossParts({ x });
    const withLabels = vqvae.lossParts(batch, { seed: 5 });
    expect(value(withLabels.loss)).toBe(value(plain.loss));
    const weighted = vqvae.lossParts(batch, { seed: 1, beta: 2 });
    const unweighted = vqvae.lossParts(batch, { beta: 0 });
    const commitment = value(weighted.commitment);
    expectClose([value(weighted.loss) - value(unweighted.loss)], [2 * commitment], 1e-4);
    tf.dispose([withLabels, plain, unweighted, weighted].flatMap((parts) => Object.values(parts)));
    const optimizer = tf.train.sgd(0.01);
    const parts = vqvae.trainStep(optimizer, batch, { seed: 3, step: 10, beta: 0.5 });
    expect(Object.values(parts).every((part) => part.shape.length === 0 && part.dtype === 'float32')).toBe(true);
    tf.dispose([x, labels, ...Object.values(parts)]);
    optimizer.dispose();
    expect(() => vqvae.lossParts({ x: images(1) }, { beta: -1 })).toThrow(
      /^vqvae\.lossParts: expected options\.beta a number in \[0, .*\], got -1\.$/,
    );
  });
});

describe('vqvae.epochMetrics', () => {
  it('measures perplexity and usage of the sample codes, encoding 500 images at a time', async () => {
    const vqvae = model({ ...TINY, codebookSize: 16 });
    const x = images(1050, 4);
    const encoded: number[] = [];
    const { quantizer } = vqvae;
    const encode = quantizer.encode;
    quantizer.encode = (z) => {
      encoded.push(z.shape[0] as number);
      return encode(z);
    };
    const metrics = await vqvae.epochMetrics({ x });
    quantizer.encode = encode;
    const codes = vqvae.encode(x);
    expect(Object.keys(metrics).sort()).toEqual(['code_perplexity', 'code_usage']);
    expectClose([metrics.code_perplexity], [value(codePerplexity(codes, 16))], 1e-5);
    expectClose([metrics.code_usage], [value(codeUsage(codes, 16))], 1e-6);
    expect(metrics.code_perplexity).toBeGreaterThan(1);
    expect(encoded).toEqual([500, 500, 50]);
    tf.dispose([x, codes]);
  });

  it('leaks no tensors and keeps the counts for the codebook-usage preview', async () => {
    const vqvae = model(TINY);
    const x = images(20, 5);
    const before = await vqvae.previews({ x }, { seed: 0, epoch: 1 });
    expect(Object.keys(before)).toEqual(['reconstructions']);
    tf.dispose((before.reconstructions as { images: tf.Tensor4D }).images);
    await expectNoLeak(() => vqvae.epochMetrics({ x }));
    const previews = await vqvae.previews({ x }, { seed: 0, epoch: 3 });
    const usage = previews['codebook-usage'] as { counts: number[]; title: string };
    expect(usage.title).toBe('code usage, epoch 3');
    expect(usage.counts).toHaveLength(8);
    expect(usage.counts.reduce((a, b) => a + b, 0)).toBe(20 * 2 * 2);
    const codes = read(vqvae.encode(x));
    expect(usage.counts).toEqual(Array.from({ length: 8 }, (_, k) => codes.filter((code) => code === k).length));
    tf.dispose([x, (previews.reconstructions as { images: tf.Tensor4D }).images]);
  });
});

describe('vqvae.previews', () => {
  it('lays out rows of 8 originals (target when given) over their reconstructions, padding a last row', async () => {
    const vqvae = model(TINY);
    const x = images(10, 6);
    const target = images(10, 7);
    const previews = await vqvae.previews({ x, target }, { seed: 0, epoch: 0 });
    const { images: grid, columns } = previews.reconstructions as Extract<Preview, { images: tf.Tensor4D }>;
    expect(columns).toBe(8);
    expect(grid.shape).toEqual([32, 8, 8, 1]);
    const reconstructions = vqvae.reconstruct(x);
    const rows = (start: number, size: number) => read(tf.slice(grid, start, size));
    expect(rows(0, 8)).toEqual(read(tf.slice(target, 0, 8)));
    expect(rows(8, 8)).toEqual(read(tf.slice(reconstructions, 0, 8)));
    expect(rows(16, 2)).toEqual(read(tf.slice(target, 8, 2)));
    expect(rows(18, 6).every((v) => v === 0)).toBe(true);
    expect(rows(24, 2)).toEqual(read(tf.slice(reconstructions, 8, 2)));
    expect(rows(26, 6).every((v) => v === 0)).toBe(true);
    tf.dispose([x, target, grid, reconstructions]);
    await expectNoLeak(async () => {
      const sample = images(8, 8);
      const result = await vqvae.previews({ x: sample }, { seed: 1, epoch: 1 });
      sample.dispose();
      return result;
    });
  });

  it('checks the sample', async () => {
    const vqvae = model(TINY);
    await expect(vqvae.previews({ x: tf.zeros([2, 4, 4, 1]) }, { seed: 0, epoch: 0 })).rejects.toThrow(
      /^vqvae\.previews: expected sample\.x shape \[\?,8,8,1\] \(config\.inputShape\), got shape \[2,4,4,1\]\.$/,
    );
    await expect(vqvae.epochMetrics({} as TrainBatch)).rejects.toThrow(
      /^vqvae\.epochMetrics: expected sample\.x a tf\.Tensor, got undefined\.$/,
    );
  });
});
