import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSame, liveBuffers, readAll, stockAndFast } from '../__fixtures__/kernel-compare';
import { registerFastKernels, restoreKernels } from './register-all-kernels';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterEach(() => restoreKernels());
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('shared Identity on wasm', () => {
  it('clones without copying: same buffer, one more reference, values kept when the source is disposed', () => {
    registerFastKernels();
    const x = tf.tensor2d([
      [1, -2],
      [3.5, 4],
    ]);
    const buffersBefore = liveBuffers();
    const y = tf.clone(x);
    expect(liveBuffers()).toBe(buffersBefore); // no new buffer
    expect((tf.backend() as unknown as { refCount(id: object): number }).refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3.5, 4]);
    expect(y.shape).toEqual([2, 2]);
    y.dispose();
    expect(liveBuffers()).toBe(buffersBefore - 1);
  });

  it('keeps int32 and bool dtypes, and a variable assigned after cloning leaves the clone unchanged', () => {
    registerFastKernels();
    const i = tf.tensor1d([1, 2, 3], 'int32');
    const b = tf.tensor1d([1, 0], 'bool');
    const v = tf.variable(tf.tensor1d([5, 6]));
    const [ci, cb, cv] = [tf.clone(i), tf.clone(b), tf.clone(v)];
    v.assign(tf.tensor1d([7, 8]));
    expect([ci.dtype, cb.dtype]).toEqual(['int32', 'bool']);
    expect(Array.from(ci.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(cb.dataSync())).toEqual([1, 0]);
    expect(Array.from(cv.dataSync())).toEqual([5, 6]);
    expect(Array.from(v.dataSync())).toEqual([7, 8]);
    tf.dispose([i, b, v, ci, cb, cv]);
  });

  it('gives the stock values and gradients of a small network (the engine clones saved tensors)', () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1);
    const w = tf.randomNormal([6, 3], 0, 1, 'float32', 2);
    const result = stockAndFast(() =>
      readAll(() => {
        const f = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.exp(tf.mul(0.3, tf.relu(tf.matMul(xx, ww)))));
        return [f(x, w), ...tf.grads(f)([x, w])];
      }),
    );
    expectSame(result, 0);
    tf.dispose([x, w]);
  });

  it('frees every buffer of a training step (no leaks through shared references)', () => {
    registerFastKernels();
    const w = tf.variable(tf.randomNormal([5, 2], 0, 1, 'float32', 3));
    const x = tf.randomNormal([3, 5], 0, 1, 'float32', 4);
    const optimizer = tf.train.adam(0.01);
    const step = () => optimizer.minimize(() => tf.sum(tf.square(tf.matMul(x, w))))?.dispose();
    step(); // creates Adam's slots
    const before = { tensors: tf.memory().numTensors, buffers: liveBuffers() };
    step();
    step();
    expect({ tensors: tf.memory().numTensors, buffers: liveBuffers() }).toEqual(before);
    optimizer.dispose();
    tf.dispose([w, x]);
  });
});
