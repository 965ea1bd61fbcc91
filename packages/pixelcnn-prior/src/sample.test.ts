import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { TINY_CONFIG } from './__fixtures__/tiny';
import type { PixelCnnConfig } from './config';
import { createPixelCnn } from './pixelcnn';

const read = (maps: tf.Tensor) => Array.from(maps.dataSync());

describe('pixelCnn.sample', () => {
  it('returns int32 [n, h, w] in [0, K); the same seed gives the same maps, another seed other maps', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const a = await prior.sample(4, { seed: 11 });
    const b = await prior.sample(4, { seed: 11 });
    const c = await prior.sample(4, { seed: 12 });
    expect(a.shape).toEqual([4, 5, 6]);
    expect(a.dtype).toBe('int32');
    expect(read(a).every((v) => v >= 0 && v < 4)).toBe(true);
    expect(read(a)).toEqual(read(b));
    expect(read(a)).not.toEqual(read(c));
    tf.dispose([a, b, c]);
    prior.dispose();
  });

  it('the cached sampler draws exactly what the full recompute draws', async () => {
    const configs: PixelCnnConfig[] = [TINY_CONFIG, { ...TINY_CONFIG, kernelSize: 3, layers: 4, numClasses: 3 }];
    for (const config of configs) {
      const prior = createPixelCnn(config);
      const labels = config.numClasses ? [0, 2, 1] : undefined;
      const cached = await prior.sample(3, { seed: 5, labels });
      const full = await prior.sample(3, { seed: 5, labels, cache: false });
      expect(read(cached)).toEqual(read(full));
      tf.dispose([cached, full]);
      prior.dispose();
    }
  });

  it('temperature 0 decodes greedily (argmax of the logits given the map); a tiny temperature picks a maximum', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const greedy = await prior.sample(3, { seed: 1, temperature: 0 });
    const logits = prior.logits(greedy as tf.Tensor3D);
    const argmax = tf.argMax(logits, 3);
    expect(read(argmax)).toEqual(read(greedy));
    // With T = 1e-4 a value whose logit is δ below the maximum has odds e^(−δ/T): ≤ 5e−5 for δ ≥ 1e−3. Exact ties
    // (an untrained ReLU head gives some) may go either way, so the check is "a maximum", not "the first maximum".
    const cold = await prior.sample(3, { seed: 2, temperature: 1e-4 });
    const coldLogits = prior.logits(cold as tf.Tensor3D);
    const values = coldLogits.dataSync();
    const drawn = read(cold);
    drawn.forEach((value, position) => {
      const row = Array.from(values.slice(position * 4, position * 4 + 4));
      expect(row[value] as number, `position ${position}`).toBeGreaterThan(Math.max(...row) - 1e-3);
    });
    tf.dispose([greedy, logits, argmax, cold, coldLogits]);
    prior.dispose();
  });

  it('top-1 sampling is greedy decoding: the same maps as temperature 0, whatever the seed', async () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, numCategories: 6 });
    const greedy = await prior.sample(4, { seed: 1, temperature: 0 });
    const top1 = await prior.sample(4, { seed: 21, topK: 1 });
    const top1Hot = await prior.sample(4, { seed: 22, topK: 1, temperature: 50 });
    expect(read(top1)).toEqual(read(greedy));
    expect(read(top1Hot)).toEqual(read(greedy));
    tf.dispose([greedy, top1, top1Hot]);
    prior.dispose();
  });

  it('top-k draws only ever take one of the k largest logits of each step, and use more than the largest', async () => {
    // 8 codes, a hot temperature (nearly uniform among what is kept): with k = 3 the draws spread over the top 3.
    const prior = createPixelCnn({ ...TINY_CONFIG, numCategories: 8 });
    for (const [k, seed] of [
      [3, 5],
      [2, 6],
    ] as const) {
      const maps = await prior.sample(6, { seed, topK: k, temperature: 20 });
      // The logits at each position given the map's earlier positions (causal): the ones each step drew from.
      const logits = prior.logits(maps);
      const rows = logits.dataSync();
      const ranks = read(maps).map((value, position) => {
        const row = Array.from(rows.slice(position * 8, position * 8 + 8));
        // rank of the drawn code: how many codes have a clearly larger logit (ties count for the drawn code)
        return row.filter((logit) => logit > (row[value] as number) + 1e-5).length;
      });
      expect(Math.max(...ranks), `k = ${k}`).toBeLessThan(k);
      expect(new Set(ranks).size, `k = ${k}: every kept rank drawn`).toBe(k);
      tf.dispose([maps, logits]);
    }
    prior.dispose();
  });

  it('topK ≥ the number of codes keeps them all: the same draws as no topK', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const plain = await prior.sample(3, { seed: 8 });
    const all = await prior.sample(3, { seed: 8, topK: 4 });
    const more = await prior.sample(3, { seed: 8, topK: 100 });
    const fewer = await prior.sample(3, { seed: 8, topK: 2 });
    expect(read(all)).toEqual(read(plain));
    expect(read(more)).toEqual(read(plain));
    expect(read(fewer)).not.toEqual(read(plain));
    tf.dispose([plain, all, more, fewer]);
    prior.dispose();
  });

  it('a conditioned model samples according to its label', async () => {
    // Train on constant maps whose value is the label: only the class bias can tell the first position.
    const prior = createPixelCnn({ ...TINY_CONFIG, numClasses: 3 });
    const optimizer = tf.train.adam(0.03);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const maps = tf.tidy(() => tf.tile(tf.reshape(labels, [6, 1, 1]), [1, 5, 6])) as tf.Tensor3D;
    for (let step = 0; step < 25; step++) tf.dispose(prior.trainStep(optimizer, { x: maps, labels }));
    const sampled = await prior.sample(6, { seed: 3, labels });
    const values = read(sampled);
    const matching = values.filter((v, i) => v === Math.floor(i / 30) % 3).length;
    expect(matching / values.length).toBeGreaterThan(0.9);
    const allTwos = await prior.sample(2, { seed: 4, labels: 2, temperature: 0 });
    expect(read(allTwos)).toEqual(new Array(60).fill(2));
    tf.dispose([labels, maps, sampled, allTwos]);
    optimizer.dispose();
    prior.dispose();
  });

  it('reports every position in raster order with the maps drawn so far', async () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, height: 3, width: 4 });
    const seen: [number, number][] = [];
    let laterPositionsZero = true;
    let last: number[] = [];
    const maps = await prior.sample(2, {
      seed: 9,
      onPosition: async (row, col, partial) => {
        seen.push([row, col]);
        for (let index = 0; index < 2; index++) {
          for (let position = row * 4 + col + 1; position < 12; position++) {
            if (partial[index * 12 + position] !== 0) laterPositionsZero = false;
          }
        }
        last = Array.from(partial);
      },
    });
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => [Math.floor(i / 4), i % 4]));
    expect(laterPositionsZero).toBe(true);
    expect(last).toEqual(read(maps));
    maps.dispose();
    prior.dispose();
  });

  it('samples from the masked architecture too, deterministically', async () => {
    const prior = createPixelCnn({ ...TINY_CONFIG, architecture: 'masked', kernelSize: 3 });
    const a = await prior.sample(2, { seed: 1 });
    const b = await prior.sample(2, { seed: 1 });
    expect(read(a)).toEqual(read(b));
    tf.dispose([a, b]);
    prior.dispose();
  });

  it('leaks no tensor, cached or not, conditioned or not', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    const conditioned = createPixelCnn({ ...TINY_CONFIG, numClasses: 2 });
    await expectNoLeak(() => prior.sample(2, { seed: 1 }));
    await expectNoLeak(() => prior.sample(2, { seed: 1, cache: false }));
    await expectNoLeak(() => conditioned.sample(2, { seed: 1, labels: [1, 0] }));
    await expectNoLeak(() => conditioned.sample(2, { seed: 1, labels: 1, cache: false, temperature: 0 }));
    await expectNoLeak(() => prior.sample(2, { seed: 1, topK: 2 }));
    await expectNoLeak(() => conditioned.sample(2, { seed: 1, labels: [0, 1], topK: 3, cache: false }));
    prior.dispose();
    conditioned.dispose();
  });

  it('rejects bad arguments', async () => {
    const prior = createPixelCnn(TINY_CONFIG);
    await expect(prior.sample(0)).rejects.toThrow(ConfigError);
    await expect(prior.sample(0)).rejects.toThrow(/^pixelCnn\.sample: expected n a positive integer, got 0\.$/);
    await expect(prior.sample(2, { temperature: -1 })).rejects.toThrow(
      /^pixelCnn\.sample: expected options\.temperature a finite number ≥ 0, got -1\.$/,
    );
    await expect(prior.sample(2, { topK: 0 })).rejects.toThrow(
      /^pixelCnn\.sample: expected options\.topK a positive integer, got 0\.$/,
    );
    await expect(prior.sample(2, { topK: 2.5 })).rejects.toThrow(
      /^pixelCnn\.sample: expected options\.topK a positive integer, got 2\.5\.$/,
    );
    await expect(prior.sample(2, { seed: 1.5 })).rejects.toThrow(
      /^pixelCnn\.sample: expected options\.seed an integer, got 1\.5\.$/,
    );
    await expect(prior.sample(2, { labels: 1 })).rejects.toThrow(
      /^pixelCnn\.sample: expected labels undefined \(config\.numClasses is 0: the model is unconditioned\), got 1\.$/,
    );
    const before = tf.memory().numTensors;
    await expect(prior.sample(2, { labels: [0, 1] })).rejects.toThrow(/expected labels undefined/);
    expect(tf.memory().numTensors).toBe(before);
    prior.dispose();
  });
});
