import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLookupFreeQuantizer, lfqCodebook, lfqEntropyPenalty } from './lfq';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const read = (t: tf.Tensor) => Array.from(t.dataSync());

/** The penalty computed the long way: a softmax over all 2^d codes of −‖z − c‖²/τ per vector. */
function penaltyByHand(z: number[][], temperature: number, diversity: number): number {
  const d = (z[0] as number[]).length;
  const codes = Array.from({ length: 2 ** d }, (_, k) => Array.from({ length: d }, (_, i) => ((k >> i) & 1 ? 1 : -1)));
  const entropy = (p: number[]) => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
  const rows = z.map((v) => {
    const logits = codes.map((c) => -c.reduce((s, ci, i) => s + (ci - (v[i] as number)) ** 2, 0) / temperature);
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / total);
  });
  const perSample = rows.reduce((s, p) => s + entropy(p), 0) / rows.length;
  const mean = codes.map((_, k) => rows.reduce((s, p) => s + (p[k] as number), 0) / rows.length);
  return perSample - diversity * entropy(mean);
}

describe('lookup-free quantisation', () => {
  it('quantises each channel to its sign and numbers the code by its bits, channel 0 least significant', () => {
    const lfq = createLookupFreeQuantizer({ dim: 3 });
    const z = tf.tensor2d([
      [0.2, -0.1, 0.7],
      [-0.5, 0.3, -0.9],
      [-0.1, -0.2, -0.3],
    ]);
    const result = lfq.quantize(z);
    expect(read(result.quantized)).toEqual([1, -1, 1, -1, 1, -1, -1, -1, -1]);
    expect(read(result.indices)).toEqual([5, 2, 0]);
    expect(read(lfq.lookup(result.indices))).toEqual(read(result.quantized));
    expect(read(lfq.encode(z))).toEqual([5, 2, 0]);
    expect(lfqCodebook(3).arraySync()[6]).toEqual([-1, 1, 1]);
    tf.dispose([z, ...Object.values(result)]);
    lfq.dispose();
  });

  it('computes the entropy penalty as the softmax over all 2^d codes does, for two temperatures and γ', () => {
    const values = [
      [0.02, -0.01, 0.005, -0.03],
      [0.01, 0.02, -0.02, 0.0],
      [-0.004, 0.03, 0.01, 0.02],
    ];
    const bits = tf.tidy(() => tf.div(tf.add(tf.transpose(lfqCodebook(4)), 1), 2) as tf.Tensor2D);
    for (const [temperature, diversity] of [
      [0.01, 1],
      [0.1, 0.5],
    ] as const) {
      const penalty = lfqEntropyPenalty(tf.tensor2d(values), bits, { temperature, diversity });
      expect(penalty.dataSync()[0]).toBeCloseTo(penaltyByHand(values, temperature, diversity), 4);
    }
    bits.dispose();
  });

  it('gives the entropy penalty the gradient finite differences give', () => {
    const bits = tf.tidy(() => tf.div(tf.add(tf.transpose(lfqCodebook(3)), 1), 2) as tf.Tensor2D);
    const settings = { temperature: 0.5, diversity: 1 };
    const base = [
      [0.3, -0.2, 0.1],
      [-0.4, 0.25, 0.05],
    ];
    const f = (z: tf.Tensor) => lfqEntropyPenalty(z as tf.Tensor2D, bits, settings);
    const grad = read(tf.grad(f)(tf.tensor2d(base)));
    const h = 1e-3;
    base.flat().forEach((_, k) => {
      const shifted = (delta: number) => base.flat().map((v, j) => (j === k ? v + delta : v));
      const at = (delta: number) => f(tf.tensor2d(shifted(delta), [2, 3])).dataSync()[0] as number;
      expect(grad[k]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
    });
    bits.dispose();
  });

  it('spreads a batch over the codes: the penalty is lower when the batch uses more codes', () => {
    const lfq = createLookupFreeQuantizer({ dim: 2, temperature: 0.1 });
    const spread = tf.tensor2d([
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ]);
    const collapsed = tf.tensor2d([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    const [a, b] = [lfq.quantize(spread), lfq.quantize(collapsed)];
    expect(a.codebookLoss.dataSync()[0]).toBeLessThan((b.codebookLoss.dataSync()[0] as number) - 1);
    expect(read(a.usage)).toEqual([1]);
    expect(read(b.usage)).toEqual([0.25]);
    tf.dispose([spread, collapsed, ...Object.values(a), ...Object.values(b)]);
    lfq.dispose();
  });

  it('refuses bad settings in the caller’s words', () => {
    expect(() => createLookupFreeQuantizer({ dim: 17 })).toThrow(/^lfqCodebook: expected dim an integer in \[1, 16\]/);
    expect(() => createLookupFreeQuantizer({ dim: 4, temperature: 0 })).toThrow(
      /^createLookupFreeQuantizer: expected config\.temperature a number > 0, got 0\.$/,
    );
    expect(() => createLookupFreeQuantizer({ dim: 4, gamma: 1 } as never)).toThrow(/known keys only, got 'gamma'/);
  });
});
