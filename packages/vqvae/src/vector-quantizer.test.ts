import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createVectorQuantizer, orthogonalLoss, type VectorQuantizer } from './vector-quantizer';

const created: VectorQuantizer[] = [];
function quantizer(config: Parameters<typeof createVectorQuantizer>[0]): VectorQuantizer {
  const vq = createVectorQuantizer(config);
  created.push(vq);
  return vq;
}
afterEach(() => {
  while (created.length > 0) created.pop()?.dispose();
});

/** Mean over all elements of (z − codebook[nearest])², by brute force in plain JS. */
function bruteForceLoss(z: number[][], codebook: number[][]): { indices: number[]; loss: number } {
  let total = 0;
  const indices = z.map((row) => {
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    codebook.forEach((code, k) => {
      const distance = code.reduce((sum, c, d) => sum + (c - (row[d] as number)) ** 2, 0);
      if (distance < bestDistance) [best, bestDistance] = [k, distance];
    });
    total += bestDistance;
    return best;
  });
  return { indices, loss: total / (z.length * (z[0] as number[]).length) };
}

describe('createVectorQuantizer', () => {
  it.each([[[6, 4]], [[2, 3, 4]], [[2, 3, 3, 4]]])('returns named outputs for input shape %j', (shape) => {
    const vq = quantizer({ dim: 4, codebookSize: 5 });
    const z = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const out = vq.quantize(z);
    expect(out.quantized.shape).toEqual(shape);
    expect(out.output.shape).toEqual(shape);
    expect(out.indices.shape).toEqual(shape.slice(0, -1));
    expect(out.indices.dtype).toBe('int32');
    for (const scalar of [out.loss, out.codebookLoss, out.commitmentLoss, out.perplexity, out.usage]) {
      expect(scalar.shape).toEqual([]);
    }
    expect(vq.encode(z).shape).toEqual(shape.slice(0, -1));
  });

  it('looks up the nearest codes and computes both losses as the mean squared distance', () => {
    const vq = quantizer({ dim: 3, codebookSize: 6, beta: 0.4 });
    const z = tf.randomNormal([10, 3], 0, 1, 'float32', 2);
    const expected = bruteForceLoss(z.arraySync() as number[][], vq.codebook.arraySync() as number[][]);
    const out = vq.quantize(z);
    expect(Array.from(out.indices.dataSync())).toEqual(expected.indices);
    expectClose(out.quantized.dataSync(), vq.lookup(out.indices).dataSync(), 0);
    expectClose(out.output.dataSync(), out.quantized.dataSync(), 0);
    expectClose(out.codebookLoss.dataSync(), [expected.loss]);
    expectClose(out.commitmentLoss.dataSync(), [expected.loss]);
    expectClose(out.loss.dataSync(), [expected.loss * 1.4]);
  });

  it('drops the codebook loss from `loss` with EMA updates', () => {
    const vq = quantizer({ dim: 3, codebookSize: 6, ema: true });
    const out = vq.quantize(tf.randomNormal([10, 3], 0, 1, 'float32', 2));
    expectClose(out.loss.dataSync(), [0.25 * (out.commitmentLoss.dataSync()[0] as number)]);
    expect(vq.trainableVariables).toEqual([]);
    expect(vq.codebook.trainable).toBe(false);
  });

  it('builds the VQ loss with a per-call beta: codebook + beta·commitment, beta·commitment with EMA', () => {
    const z = tf.randomNormal([10, 3], 0, 1, 'float32', 2);
    for (const ema of [false, true]) {
      const vq = quantizer({ dim: 3, codebookSize: 6, ema, beta: 0.25 });
      const byConfig = vq.quantize(z);
      const byCall = vq.quantize(z, { beta: 1.5 });
      const codebook = byCall.codebookLoss.dataSync()[0] as number;
      const commitment = byCall.commitmentLoss.dataSync()[0] as number;
      expect(commitment).toBeGreaterThan(0);
      expectClose(byConfig.loss.dataSync(), [(ema ? 0 : codebook) + 0.25 * commitment]);
      expectClose(byCall.loss.dataSync(), [(ema ? 0 : codebook) + 1.5 * commitment]);
      expectClose(vq.quantize(z, { beta: 0 }).loss.dataSync(), [ema ? 0 : codebook]);
      // the per-call weight changes the loss only, not the gradient of the straight-through output
      expect(Array.from(byCall.output.dataSync())).toEqual(Array.from(byConfig.output.dataSync()));
    }
    expect(() => quantizer({ dim: 3, codebookSize: 6 }).quantize(z, { beta: -0.5 })).toThrow(
      /^vectorQuantizer\.quantize: expected options\.beta a number in \[0, .*\], got -0\.5\.$/,
    );
  });

  it('hands out and restores its state beyond the variables (initialized, random stream)', () => {
    const vq = quantizer({ dim: 2, codebookSize: 4, deadCodeThreshold: 1, seed: 3 });
    expect(vq.getState()).toEqual({ initialized: false, rngState: { seed: 3, counter: 0 } });
    const batch = tf.randomNormal([16, 2], 0, 1, 'float32', 4);
    vq.initialize(batch);
    tf.dispose(vq.update(batch).restarted);
    const state = vq.getState();
    expect(state).toEqual({ initialized: true, rngState: { seed: 3, counter: 2 } });
    const other = quantizer({ dim: 2, codebookSize: 4, deadCodeThreshold: 1, seed: 8 });
    other.setState(JSON.parse(JSON.stringify(state)));
    expect(other.getState()).toEqual(state);
    expect(other.initialized).toBe(true);
    expect(() => other.setState({ initialized: 1 } as never)).toThrow(
      /^vectorQuantizer\.setState: expected state\.initialized a boolean, got 1\.$/,
    );
    expect(() => other.setState({ initialized: false, rngState: { seed: 1 } } as never)).toThrow(
      /^vectorQuantizer\.setState: invalid state\.rngState: rng\.setState: expected state/,
    );
    expect(other.getState()).toEqual(state);
    batch.dispose();
  });

  it('passes the gradient of the straight-through output to z_e unchanged, and none to the codebook', () => {
    const vq = quantizer({ dim: 4, codebookSize: 5 });
    const z = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 3);
    const w = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 4);
    const gradZ = tf.grad((zE: tf.Tensor) => tf.sum(tf.mul(vq.quantize(zE).output, w)))(z);
    expect(Array.from(gradZ.dataSync())).toEqual(Array.from(w.dataSync())); // exactly
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(vq.quantize(z).output, w)) as tf.Scalar, [vq.codebook]);
    expect(Array.from((grads[vq.codebook.name] as tf.Tensor).dataSync()).every((g) => g === 0)).toBe(true);
  });

  it('trains the codebook only through the codebook loss, and z_e only through the commitment loss', () => {
    const vq = quantizer({ dim: 2, codebookSize: 3 });
    vq.codebook.assign(
      tf.tensor2d([
        [0, 0],
        [1, 1],
        [5, 5],
      ]),
    );
    const z = tf.tensor2d([
      [0.5, -0.5],
      [1.5, 1],
      [0.9, 1.1],
    ]); // codes 0, 1, 1
    const elements = 6;
    const codebookGrad = tf.variableGrads(() => vq.quantize(z).codebookLoss, [vq.codebook]).grads[vq.codebook.name];
    // d/de_k mean ||z − e_k||² = 2 Σ_{i→k} (e_k − z_i) / elements
    const expected = [2 * (0 - 0.5), 2 * (0 + 0.5), 2 * (2 - 1.5 - 0.9), 2 * (2 - 1 - 1.1), 0, 0].map(
      (g) => g / elements,
    );
    expectClose((codebookGrad as tf.Tensor).dataSync(), expected);
    const commitmentToCodebook = tf.variableGrads(() => vq.quantize(z).commitmentLoss, [vq.codebook]).grads;
    expect(Array.from((commitmentToCodebook[vq.codebook.name] as tf.Tensor).dataSync()).every((g) => g === 0)).toBe(
      true,
    );
    const codebookToZ = tf.grad((zE: tf.Tensor) => vq.quantize(zE).codebookLoss)(z);
    expect(Array.from(codebookToZ.dataSync()).every((g) => g === 0)).toBe(true);
    const commitmentToZ = tf.grad((zE: tf.Tensor) => vq.quantize(zE).commitmentLoss)(z);
    expectClose(
      commitmentToZ.dataSync(),
      [0.5, -0.5, 0.5, 0, -0.1, 0.1].map((d) => (2 * d) / elements),
    );
  });

  it('normalises inputs and codebook in cosine mode', () => {
    const vq = quantizer({ dim: 3, codebookSize: 4, distance: 'cosine' });
    const out = vq.quantize(tf.mul(tf.randomNormal([5, 3], 0, 1, 'float32', 6), 10));
    const norms = tf.sqrt(tf.sum(tf.square(out.output), -1)).dataSync();
    expectClose(norms, [1, 1, 1, 1, 1]);
    expectClose(tf.sqrt(tf.sum(tf.square(vq.codebook), -1)).dataSync(), [1, 1, 1, 1]);
  });

  it('reports perplexity K for a uniform assignment and 1 for a single code', () => {
    const vq = quantizer({ dim: 2, codebookSize: 3 });
    vq.codebook.assign(
      tf.tensor2d([
        [0, 0],
        [10, 0],
        [0, 10],
      ]),
    );
    const uniform = vq.quantize(
      tf.tensor2d([
        [0, 0],
        [10, 0],
        [0, 10],
        [1, 0],
        [9, 0],
        [0, 9],
      ]),
    );
    expectClose(uniform.perplexity.dataSync(), [3]);
    expectClose(uniform.usage.dataSync(), [1]);
    const single = vq.quantize(
      tf.tensor2d([
        [0, 0],
        [1, 1],
      ]),
    );
    expectClose(single.perplexity.dataSync(), [1]);
    expectClose(single.usage.dataSync(), [1 / 3]);
  });
});

describe('VectorQuantizer.update', () => {
  it('applies the EMA step to the variables', () => {
    const vq = quantizer({ dim: 2, codebookSize: 3, ema: true, decay: 0.5, epsilon: 0 });
    vq.codebook.assign(
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [9, 9],
      ]),
    );
    vq.embedSum.assign(
      tf.tensor2d([
        [1, 0],
        [0, 1],
        [9, 9],
      ]),
    );
    const z = tf.tensor2d([
      [2, 0],
      [4, 0],
      [0, 3],
    ]); // nearest: 0, 0, 1
    vq.update(z).restarted.dispose();
    // N = 0.5·[1, 1, 1] + 0.5·[2, 1, 0]; m = 0.5·m + 0.5·[[6, 0], [0, 3], [0, 0]]
    expectClose(vq.clusterSize.dataSync(), [1.5, 1, 0.5]);
    expectClose(vq.embedSum.dataSync(), [3.5, 0, 0, 2, 4.5, 4.5]);
    expectClose(vq.codebook.dataSync(), [3.5 / 1.5, 0, 0, 2, 9, 9]);
  });

  it('restarts exactly the codes a batch did not use, from batch vectors', () => {
    const vq = quantizer({ dim: 2, codebookSize: 4, deadCodeThreshold: 1, seed: 7 });
    vq.codebook.assign(
      tf.tensor2d([
        [0, 0],
        [10, 10],
        [50, 50],
        [-50, 50],
      ]),
    );
    const z = tf.tensor2d([
      [0.5, 0],
      [9, 10],
      [0, 0.5],
      [11, 10],
    ]);
    const { restarted } = vq.update(z, vq.encode(z));
    expect(restarted.dataSync()[0]).toBe(2);
    const rows = vq.codebook.arraySync() as number[][];
    expect(rows.slice(0, 2)).toEqual([
      [0, 0],
      [10, 10],
    ]);
    const candidates = (z.arraySync() as number[][]).map((row) => row.join());
    expect(candidates).toContain((rows[2] as number[]).join());
    expect(candidates).toContain((rows[3] as number[]).join());
  });

  it('restarts by EMA cluster size and resets their EMA state to the threshold', () => {
    const vq = quantizer({ dim: 2, codebookSize: 3, ema: true, decay: 0.5, epsilon: 0, deadCodeThreshold: 0.8 });
    vq.codebook.assign(
      tf.tensor2d([
        [0, 0],
        [10, 10],
        [50, 50],
      ]),
    );
    vq.embedSum.assign(
      tf.tensor2d([
        [0, 0],
        [10, 10],
        [50, 50],
      ]),
    );
    const z = tf.tensor2d([
      [1, 0],
      [9, 10],
    ]);
    vq.update(z).restarted.dispose(); // N = [1, 1, 0.5]: code 2 is dead
    expectClose(vq.clusterSize.dataSync(), [1, 1, 0.8]);
    const code2 = (vq.codebook.arraySync() as number[][])[2] as number[];
    expect([[1, 0].join(), [9, 10].join()]).toContain(code2.join());
    expectClose(
      (vq.embedSum.arraySync() as number[][])[2] as number[],
      code2.map((v) => v * 0.8),
    );
  });

  it('is a no-op without EMA or restarts', () => {
    const vq = quantizer({ dim: 2, codebookSize: 3 });
    const before = Array.from(vq.codebook.dataSync());
    vq.update(tf.ones([4, 2])).restarted.dispose();
    expect(Array.from(vq.codebook.dataSync())).toEqual(before);
  });
});

describe('VectorQuantizer.initialize', () => {
  it('k-means lowers the distortion of the random initial codebook', () => {
    const vq = quantizer({ dim: 4, codebookSize: 8, kmeansIterations: 5 });
    const z = tf.add(
      tf.randomNormal([200, 4], 0, 0.3, 'float32', 8),
      tf.tile(tf.randomNormal([8, 4], 0, 3, 'float32', 9), [25, 1]),
    );
    const before = vq.quantize(z).commitmentLoss.dataSync()[0] as number;
    expect(vq.initialized).toBe(false);
    vq.initialize(z);
    expect(vq.initialized).toBe(true);
    const after = vq.quantize(z).commitmentLoss.dataSync()[0] as number;
    expect(after).toBeLessThan(before / 4);
    // EMA state agrees with the codebook: m / N = e
    expectClose(tf.div(vq.embedSum, tf.reshape(vq.clusterSize, [-1, 1])).dataSync(), vq.codebook.dataSync());
  });
});

describe('errors and memory', () => {
  it('names the function, argument and shapes', () => {
    const vq = quantizer({ dim: 64, codebookSize: 8 });
    expect(() => vq.quantize(tf.zeros([8, 16, 16, 32]))).toThrow(
      /^vectorQuantizer\.quantize: expected z last dim 64 \(config\.dim\), got 32 \(shape \[8,16,16,32\]\)\.$/,
    );
    expect(() => vq.lookup(tf.zeros([2]))).toThrow(
      /^vectorQuantizer\.lookup: expected indices dtype int32, got dtype float32\.$/,
    );
    expect(() => vq.update(tf.zeros([2, 64]), tf.zeros([2]))).toThrow(
      /^vectorQuantizer\.update: expected indices dtype int32, got dtype float32\.$/,
    );
  });

  it.each([
    [{ dim: 0, codebookSize: 8 }, /^createVectorQuantizer: expected config\.dim a positive integer, got 0\.$/],
    [
      { dim: 4, codebookSize: 2.5 },
      /^createVectorQuantizer: expected config\.codebookSize a positive integer, got 2\.5\.$/,
    ],
    [
      { dim: 4, codebookSize: 8, decay: 1 },
      /^createVectorQuantizer: expected config\.decay a number in \(0, 1\), got 1\.$/,
    ],
    [
      { dim: 4, codebookSize: 8, beta: -1 },
      /^createVectorQuantizer: expected config\.beta a number in \[0, .*\], got -1\.$/,
    ],
    [
      { dim: 4, codebookSize: 8, distance: 'manhattan' },
      /^createVectorQuantizer: expected config\.distance one of euclidean \| cosine, got 'manhattan'\.$/,
    ],
    [{ dim: 4, codebookSize: 8, sizes: 3 }, /^createVectorQuantizer: expected config known keys only, got 'sizes'\.$/],
  ])('rejects config %j', (config, message) => {
    expect(() => createVectorQuantizer(config as never)).toThrow(message);
  });

  it('leaks no tensors in quantize, encode, lookup, update and initialize', async () => {
    const vq = quantizer({ dim: 3, codebookSize: 4, ema: true, deadCodeThreshold: 0.5, distance: 'cosine' });
    const z = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1);
    const indices = tf.tensor1d([0, 3], 'int32');
    await expectNoLeak(() => vq.quantize(z));
    await expectNoLeak(() => [vq.encode(z), vq.lookup(indices)]);
    await expectNoLeak(() => vq.update(z));
    await expectNoLeak(() => vq.initialize(z));
    await expectNoLeak(() =>
      tf.grad((zE: tf.Tensor) => tf.add(vq.quantize(zE).loss, tf.sum(vq.quantize(zE).output)))(z),
    );
  });

  it('frees its variables on dispose', () => {
    const before = tf.memory().numTensors;
    createVectorQuantizer({ dim: 3, codebookSize: 4 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('orthogonal regularisation', () => {
  it('is the mean squared cosine of every pair of codes minus 1/K: 0 for orthogonal codes', () => {
    const orthogonal = tf.tensor2d([
      [2, 0, 0],
      [0, -3, 0],
    ]);
    expect(orthogonalLoss(orthogonal).dataSync()[0]).toBeCloseTo(0, 6);
    const codes = [
      [1, 1, 0],
      [1, 0, 0],
      [0, 2, 2],
    ];
    const unit = codes.map((c) => c.map((v) => v / Math.hypot(...c)));
    let sum = 0;
    for (const a of unit) for (const b of unit) sum += a.reduce((s, v, i) => s + v * (b[i] as number), 0) ** 2;
    expect(orthogonalLoss(tf.tensor2d(codes)).dataSync()[0]).toBeCloseTo(sum / 9 - 1 / 3, 5);
  });

  it('joins the loss with its weight and pushes the codes apart; refused with EMA', () => {
    const z = tf.randomNormal([32, 4], 0, 1, 'float32', 3);
    const plain = createVectorQuantizer({ dim: 4, codebookSize: 4, seed: 1 });
    const regular = createVectorQuantizer({ dim: 4, codebookSize: 4, seed: 1, orthogonalWeight: 2 });
    const [a, b] = [plain.quantize(z), regular.quantize(z)];
    const ortho = orthogonalLoss(regular.codebook as tf.Tensor as tf.Tensor2D).dataSync()[0] as number;
    expect(b.loss.dataSync()[0]).toBeCloseTo((a.loss.dataSync()[0] as number) + 2 * ortho, 5);
    const optimizer = tf.train.sgd(0.5);
    for (let step = 0; step < 20; step++) {
      optimizer.minimize(() => orthogonalLoss(regular.codebook as tf.Tensor as tf.Tensor2D), false, [regular.codebook]);
    }
    expect(orthogonalLoss(regular.codebook as tf.Tensor as tf.Tensor2D).dataSync()[0]).toBeLessThan(ortho / 2);
    expect(() => createVectorQuantizer({ dim: 4, codebookSize: 4, ema: true, orthogonalWeight: 1 })).toThrow(
      /expected config\.orthogonalWeight 0 with ema \(the EMA codebook takes no gradient\), got 1\.$/,
    );
    tf.dispose([z, ...Object.values(a), ...Object.values(b)]);
    plain.dispose();
    regular.dispose();
  });
});

describe('a codebook in a lower dimension', () => {
  it('quantises z [..., 16] against codes of size 4 through learnt maps, and trains the maps', () => {
    const vq = createVectorQuantizer({ dim: 16, codebookDim: 4, codebookSize: 8, seed: 2 });
    expect(vq.codebook.shape).toEqual([8, 4]);
    expect(vq.dim).toBe(16);
    expect(vq.trainableVariables.map((v) => v.shape)).toEqual([[8, 4], [16, 4], [4], [4, 16], [16]]);
    const z = tf.randomNormal([10, 16], 0, 1, 'float32', 4);
    const result = vq.quantize(z);
    expect(result.output.shape).toEqual([10, 16]);
    const looked = vq.lookup(result.indices);
    expectClose(looked.dataSync(), result.quantized.dataSync(), 1e-6);
    expectClose(result.output.dataSync(), result.quantized.dataSync(), 1e-5);
    expect(Array.from(vq.encode(z).dataSync())).toEqual(Array.from(result.indices.dataSync()));
    const { grads } = tf.variableGrads(() => tf.add(tf.sum(vq.quantize(z).output), vq.quantize(z).loss) as tf.Scalar);
    expect(Object.keys(grads).length).toBe(5);
    for (const g of Object.values(grads)) expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    expect(() => vq.quantize(tf.zeros([2, 4]))).toThrow(/expected z last dim 16 \(config\.dim\), got 4/);
    tf.dispose([z, looked, ...Object.values(result), ...Object.values(grads)]);
    vq.dispose();
  });
});
