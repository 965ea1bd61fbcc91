import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itLoadsOnCi, native } from './__fixtures__/native';
import { disableFastTraining, enableFastTraining } from './enable-fast-training';
import type { NativeAddon } from './kernels/utils/native-addon';
import { installNativeAdam, uninstallNativeAdam } from './native-adam';

itLoadsOnCi();

/** Three variables and a loss over them (a matMul, a bias, a scale), seeded. */
function makeProblem() {
  const w = tf.variable(tf.randomNormal([48, 24], 0, 0.5, 'float32', 1), true, 'adam-test/w');
  const b = tf.variable(tf.randomNormal([24], 0, 0.5, 'float32', 2), true, 'adam-test/b');
  const s = tf.variable(tf.scalar(0.7), true, 'adam-test/s');
  const x = tf.randomNormal([32, 48], 0, 1, 'float32', 3);
  const loss = () => tf.mean(tf.square(tf.mul(tf.add(tf.matMul(x, w), b), s))) as tf.Scalar;
  return { variables: [w, b, s], x, loss };
}

/**
 * Runs Adam for `steps` steps; returns each step's loss, the variables and the optimizer's weights (as arrays). With
 * `share`, a view (Reshape shares the buffer) of the first variable and, after the first step, of its first moment
 * are kept, with their values before and after.
 */
async function trainAdam(steps: number, share = false) {
  const problem = makeProblem();
  const optimizer = tf.train.adam(0.05);
  const internals = optimizer as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[] };
  const views: tf.Tensor[] = [];
  const viewsBefore: Float32Array[] = [];
  const keepView = (tensor: tf.Tensor) => {
    views.push(tf.reshape(tensor, [-1]));
    viewsBefore.push(tensor.dataSync().slice() as Float32Array);
  };
  if (share) keepView(problem.variables[0]!);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(problem.loss, true, problem.variables)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
    if (share && i === 0) keepView(internals.accumulatedFirstMoment[0]!.variable);
  }
  const variables = problem.variables.map((v) => v.dataSync().slice());
  const weights = await optimizer.getWeights();
  const slots = weights.map(({ name, tensor }) => ({ name, values: Array.from(tensor.dataSync()) }));
  const viewsAfter = views.map((view) => view.dataSync().slice());
  optimizer.dispose();
  tf.dispose([...problem.variables, problem.x, ...views, weights[0]!.tensor]);
  return { losses, variables, slots, viewsBefore, viewsAfter };
}

/** A small MLP trained by tf.layers' fit on fixed data: one epoch's batch losses. */
async function fitEpoch(): Promise<number[]> {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [64], units: 48, activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.dense({ units: 8, kernelInitializer: init(2) }),
      tfl.layers.dense({ units: 64, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'binaryCrossentropy' });
  const x = tf.randomUniform([512, 64], 0, 1, 'float32', 7);
  const target = tf.cast(tf.greater(x, 0.5), 'float32');
  const losses: number[] = [];
  await model.fit(x, target, {
    epochs: 1,
    batchSize: 32,
    shuffle: false,
    verbose: 0,
    callbacks: { onBatchEnd: async (_, logs) => void losses.push(logs!.loss as number) },
  });
  tf.dispose([x, target]);
  model.dispose();
  return losses;
}

describe.runIf(native.addon != null)('native Adam and training on the native kernels', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterEach(async () => {
    uninstallNativeAdam();
    await disableFastTraining();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  /** The addon, counting its Adam updates. */
  function countingAddon() {
    const counted = { ...native.addon!, calls: 0 };
    counted.adam = (...args: Parameters<NativeAddon['adam']>) => {
      counted.calls++;
      native.addon!.adam(...args);
    };
    return counted;
  }

  it('Adam in one pass gives tfjs’ Adam to the bit: losses, variables, moments and their names', async () => {
    const stock = await trainAdam(6);
    const addon = countingAddon();
    installNativeAdam(addon);
    const fused = await trainAdam(6);
    expect(addon.calls).toBe(6 * 3); // every variable of every step
    expect(fused.losses).toEqual(stock.losses);
    expect(fused.variables).toEqual(stock.variables);
    expect(fused.slots).toEqual(stock.slots);
    expect(fused.slots.map((slot) => slot.name)).toEqual([
      'iter',
      'adam-test/w/m',
      'adam-test/b/m',
      'adam-test/s/m',
      'adam-test/w/v',
      'adam-test/b/v',
      'adam-test/s/v',
    ]);
  });

  it('Adam leaves a variable whose moment another tensor shares to tfjs’ update; views keep their values', async () => {
    const stock = await trainAdam(3, true);
    const addon = countingAddon();
    installNativeAdam(addon);
    const fused = await trainAdam(3, true);
    // step 2: the first variable's moment is shared, so tfjs' update (which gives it a new buffer); step 3: all native
    expect(addon.calls).toBe(3 + 2 + 3);
    expect(fused.viewsAfter).toEqual(fused.viewsBefore);
    expect(fused.variables).toEqual(stock.variables);
    expect(fused.slots).toEqual(stock.slots);
  });

  it('an epoch of tf.layers fit gives the wasm fast path’s losses to 3 decimals', async () => {
    await enableFastTraining({ threads: 1 });
    const wasm = await fitEpoch();
    const report = await enableFastTraining({ native: true });
    expect(report.native?.library).toBe('oneDNN');
    const nativeLosses = await fitEpoch();
    expect(nativeLosses).toHaveLength(16);
    for (const [i, loss] of nativeLosses.entries()) expect(loss, `batch ${i}`).toBeCloseTo(wasm[i]!, 3);
    expect(nativeLosses[15]!).toBeLessThan(nativeLosses[0]!);
  });

  it('a conv model trains with fit to the losses of the stock cpu kernels', async () => {
    const run = async () => {
      const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({
            inputShape: [12, 12, 2],
            filters: 8,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: init(1),
          }),
          tfl.layers.conv2dTranspose({
            filters: 2,
            kernelSize: 4,
            strides: 2,
            padding: 'same',
            kernelInitializer: init(2),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
      const x = tf.randomNormal([16, 12, 12, 2], 0, 1, 'float32', 3);
      const history = await model.fit(x, x, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
      tf.dispose(x);
      model.dispose();
      return history.history.loss as number[];
    };
    await tf.setBackend('cpu');
    const stock = await run();
    await tf.setBackend('wasm');
    await enableFastTraining({ native: true });
    const nativeLosses = await run();
    for (const [i, loss] of nativeLosses.entries()) expect(loss, `epoch ${i}`).toBeCloseTo(stock[i]!, 4);
  });

  it('1,000 steps do not grow the wasm heap or the live buffers', async () => {
    await enableFastTraining({ native: true });
    const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const problem = makeProblem();
    const optimizer = tf.train.adam(0.01);
    const step = () => optimizer.minimize(problem.loss, false, problem.variables);
    for (let i = 0; i < 20; i++) step();
    const buffers = backend.numDataIds();
    const heap = backend.wasm.HEAPU8.byteLength;
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) step();
    expect(backend.numDataIds()).toBe(buffers);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.wasm.HEAPU8.byteLength).toBe(heap);
    optimizer.dispose();
    tf.dispose([...problem.variables, problem.x]);
  });
});
