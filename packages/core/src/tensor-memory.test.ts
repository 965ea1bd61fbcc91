import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendCopiesOnCreate } from './tensor-memory';

describe('backendCopiesOnCreate', () => {
  it('is false on the cpu backend, which keeps the array a tensor is made from (and leaves no tensor behind)', () => {
    expect(tf.getBackend()).toBe('cpu');
    const values = new Float32Array([1, 2]);
    const tensor = tf.tensor1d(values);
    values[0] = 5;
    expect(tensor.dataSync()[0]).toBe(5); // what the answer rests on
    tensor.dispose();
    const before = tf.memory().numTensors;
    expect(backendCopiesOnCreate()).toBe(false);
    expect(backendCopiesOnCreate()).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});
