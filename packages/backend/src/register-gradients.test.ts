import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gradientsRegistered, registerGradients } from './register-gradients';

describe('registerGradients', () => {
  it('is a no-op when gradients are registered (the test setup registers them)', async () => {
    expect(gradientsRegistered()).toBe(true);
    expect(await registerGradients()).toBe('already-registered');
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.exp(x)))(tf.scalar(0));
    expect(grad.dataSync()[0]).toBeCloseTo(1, 6);
    grad.dispose();
  });
  // The two other sources ('bundled-copy' in plain Node, ESM and CJS) are exercised on the built package in
  // test/dist-node.test.ts.
});
