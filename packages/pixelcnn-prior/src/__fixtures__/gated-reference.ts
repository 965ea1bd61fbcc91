// The gated block's first formulation and the check that the block computes it, values and gradients: run on the
// cpu backend (gated-block.test.ts) and on wasm with the native kernels and their fused gate (gated-block.native.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { expect } from 'vitest';
import { type GatePair, gate, gatedActivation } from '../gate';
import { GatedPixelCnnBlock, type GatedPixelCnnBlockArgs } from '../gated-block';

/**
 * The block as it was first written, op for op: each gate half its own 'valid' convolution after an explicit pad,
 * the halves unstacked from the [2, …] weights, the down and right shifts as pad + slice, the 1×1 map into the
 * horizontal stack as four products (each input half into each output half), the class bias as a [n, 1, 1, C]
 * broadcast. The block must compute the same function, with the same gradients, from the same weights.
 */
export function referenceBlock(
  args: GatedPixelCnnBlockArgs,
  weights: Record<string, tf.Tensor>,
  x: tf.Tensor4D,
  labelsOneHot?: tf.Tensor2D,
): tf.Tensor4D {
  const half = Math.floor(args.kernelSize / 2);
  const c = args.filters;
  const w = (name: string) => weights[name] as tf.Tensor;
  const pad = (t: tf.Tensor4D, rows: [number, number], cols: [number, number]) =>
    tf.pad(t, [[0, 0], rows, cols, [0, 0]]);
  const shift = (t: tf.Tensor4D, axis: 1 | 2) =>
    tf.slice(pad(t, axis === 1 ? [1, 0] : [0, 0], axis === 2 ? [1, 0] : [0, 0]), [0, 0, 0, 0], t.shape) as tf.Tensor4D;
  const pointwise = (t: tf.Tensor4D, kernel: tf.Tensor) =>
    tf.reshape(tf.matMul(tf.reshape(t, [-1, c]), kernel as tf.Tensor2D), t.shape) as tf.Tensor4D;
  const halvesConv = (t: tf.Tensor4D, kernel: string, bias: string) => {
    const kernels = tf.unstack(w(kernel)) as tf.Tensor4D[];
    const biases = tf.unstack(w(bias));
    return [0, 1].map((i) => tf.add(tf.conv2d(t, kernels[i]!, 1, 'valid'), biases[i]!)) as tf.Tensor4D[];
  };
  const classBias = (pair: tf.Tensor4D[], name: string) => {
    if (args.numClasses === 0 || !labelsOneHot) return pair;
    const perClass = tf.unstack(w(name)) as tf.Tensor2D[];
    return pair.map((t, i) =>
      tf.add(t, tf.reshape(tf.matMul(labelsOneHot, perClass[i]!), [t.shape[0], 1, 1, c])),
    ) as tf.Tensor4D[];
  };
  const gate = ([a, b]: tf.Tensor4D[]) => tf.mul(tf.tanh(a!), tf.sigmoid(b!)) as tf.Tensor4D;

  let vertical = x;
  let horizontalIn = x;
  if (args.maskType === 'B') {
    const n = x.shape[0] / 2;
    vertical = tf.slice(x, 0, n);
    horizontalIn = tf.slice(x, n, n);
  }
  const verticalPre = halvesConv(pad(vertical, [half, 0], [half, half]), 'vertical_kernel', 'vertical_bias');
  const shifted = verticalPre.map((t) => shift(t, 1));
  const [fromA, fromB] = (tf.unstack(w('to_horizontal_kernel')) as tf.Tensor3D[]).map((k) => tf.unstack(k));
  const toBias = tf.unstack(w('to_horizontal_bias'));
  const fromVertical = [0, 1].map((out) =>
    tf.add(tf.add(pointwise(shifted[0]!, fromA![out]!), pointwise(shifted[1]!, fromB![out]!)), toBias[out]!),
  );
  const source = args.maskType === 'A' ? shift(horizontalIn, 2) : horizontalIn;
  const own = halvesConv(pad(source, [0, 0], [half, 0]), 'horizontal_kernel', 'horizontal_bias');
  const horizontalPre = [0, 1].map((i) => tf.add(own[i]!, fromVertical[i]!)) as tf.Tensor4D[];
  const gated = gate(classBias(horizontalPre, 'horizontal_class_bias'));
  let out = tf.add(pointwise(gated, w('output_kernel')), w('output_bias')) as tf.Tensor4D;
  if (args.maskType === 'B') out = tf.add(out, horizontalIn);
  if (args.returns === 'horizontal') return out;
  return tf.concat([gate(classBias(verticalPre, 'vertical_class_bias')), out], 0);
}

/**
 * Asserts max |actual − expected| ≤ 1e-5 · max |expected| (relative to the tensor's scale); an all-zero reference
 * proves nothing, unless `zero` says that zero is the answer (then `actual` must be exactly zero).
 */
export function expectSame(actual: tf.Tensor, expected: tf.Tensor, what: string, zero = false): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    scale = Math.max(scale, Math.abs(e[i] as number));
    worst = Math.max(worst, Math.abs((a[i] as number) - (e[i] as number)));
  }
  if (zero) {
    expect([scale, worst], `${what}: zero`).toEqual([0, 0]);
    return;
  }
  expect(scale, `${what}: a zero reference proves nothing`).toBeGreaterThan(0);
  expect(worst / scale, what).toBeLessThanOrEqual(1e-5);
}

const n = 3;
const [width, channels, embedding, classes] = [5, 6, 7, 3];

/** A block's arguments, explicit padding or not, and the map's height. */
export type BlockCase = [GatedPixelCnnBlockArgs, boolean, number];

/** Every kind of block (kernel 3 and 5, type A and B, with and without classes, both outputs, both paddings). */
export function blockCases(): BlockCase[] {
  const cases: BlockCase[] = [];
  for (const kernelSize of [3, 5]) {
    for (const maskType of ['A', 'B'] as const) {
      for (const numClasses of [0, classes]) {
        for (const returns of ['stacks', 'horizontal'] as const) {
          for (const explicit of [true, false]) {
            cases.push([{ filters: channels, kernelSize, maskType, numClasses, seed: 11, returns }, explicit, 4]);
          }
        }
      }
    }
  }
  // One row, as the sampler's full recompute runs the first row: nothing above it.
  for (const maskType of ['A', 'B'] as const) {
    const args = {
      filters: channels,
      kernelSize: 3,
      maskType,
      numClasses: classes,
      seed: 11,
      returns: 'stacks' as const,
    };
    cases.push([args, true, 1], [args, false, 1]);
  }
  return cases;
}

/**
 * Builds the block of `args` with random weights (biases included) and checks that its output and the gradients of a
 * random projection of it, w.r.t. its input and every weight, are the first formulation's (1e-5 of each tensor's scale).
 */
export async function expectFirstFormulation(args: GatedPixelCnnBlockArgs, height: number): Promise<void> {
  const block = new GatedPixelCnnBlock({ ...args, name: 'block' });
  const batch = args.maskType === 'B' ? 2 * n : n;
  const inChannels = args.maskType === 'B' ? channels : embedding;
  const x = tf.variable(tf.randomNormal([batch, height, width, inChannels], 0, 1, 'float32', 1) as tf.Tensor4D);
  const labelsOneHot = args.numClasses
    ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([2, 0, 1], 'int32'), args.numClasses), 'float32') as tf.Tensor2D)
    : undefined;
  const inputs = labelsOneHot ? [x, labelsOneHot] : x;
  tf.dispose(block.apply(inputs) as tf.Tensor); // builds the weights
  // Random weights everywhere, biases included (they start at zero), so that every term shows.
  block.setWeights(block.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i)));
  const variables = [x, ...block.trainableWeights.map((w) => w.read() as tf.Variable)];
  const byName = () =>
    Object.fromEntries(block.trainableWeights.map((w) => [w.originalName.split('/').pop(), w.read()]));
  const projection = tf.randomNormal(
    [args.returns === 'stacks' ? 2 * n : n, height, width, channels],
    0,
    1,
    'float32',
    2,
  );
  await expectNoLeak(() => {
    const ours = tf.variableGrads(
      () => tf.sum(tf.mul(block.apply(inputs) as tf.Tensor, projection)) as tf.Scalar,
      variables,
    );
    const reference = tf.variableGrads(
      () => tf.sum(tf.mul(referenceBlock(args, byName(), x, labelsOneHot), projection)) as tf.Scalar,
      variables,
    );
    const output = block.apply(inputs) as tf.Tensor;
    const referenceOutput = tf.tidy(() => referenceBlock(args, byName(), x, labelsOneHot));
    expectSame(output, referenceOutput, 'output');
    expectSame(ours.value, reference.value, 'projected output');
    expect(Object.keys(ours.grads).sort()).toEqual(variables.map((v) => v.name).sort());
    for (const variable of variables) {
      // One row: nothing above, so the 1×1 map into the horizontal stack multiplies zeros.
      const zero = height === 1 && variable.name.includes('to_horizontal_kernel');
      const what = `gradient of ${variable.name}`;
      expectSame(ours.grads[variable.name]!, reference.grads[variable.name]!, what, zero);
    }
    return [ours, reference, output, referenceOutput];
  });
  tf.dispose([x, projection, labelsOneHot]);
  block.dispose();
}

/** Checks that `gate` computes gatedActivation of the two channel halves, with the gradient autodiff gives it. */
export async function expectGateIsGatedActivation(): Promise<void> {
  const pre = tf.randomNormal([2, 3, 4, 10], 0, 2, 'float32', 7) as tf.Tensor4D;
  const dy = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 8) as tf.Tensor4D;
  const reference = (x: tf.Tensor) => tf.tidy(() => gatedActivation(tf.split(x, 2, 3) as GatePair));
  await expectNoLeak(() => {
    const ours = gate(pre);
    const theirs = reference(pre);
    expect(ours.shape).toEqual([2, 3, 4, 5]);
    expectClose(ours.dataSync(), theirs.dataSync(), 1e-6);
    const ourGradient = tf.grad((x) => gate(x as tf.Tensor4D))(pre, dy);
    const theirGradient = tf.grad(reference)(pre, dy);
    expect(ourGradient.shape).toEqual([2, 3, 4, 10]);
    expectClose(ourGradient.dataSync(), theirGradient.dataSync(), 1e-6);
    return [ours, theirs, ourGradient, theirGradient];
  });
  tf.dispose([pre, dy]);
}
