import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { conv2dValid, pointwise } from './ops';

describe('conv2dValid', () => {
  it("equals tf.conv2d 'valid' and has tfjs' own gradients for input and kernel", async () => {
    const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const kernel = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const weights = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 3);
    await expectNoLeak(() => {
      const ours = conv2dValid(x, kernel);
      const reference = tf.conv2d(x, kernel, 1, 'valid');
      expect(ours.shape).toEqual([2, 4, 4, 4]);
      expectClose(ours.dataSync(), reference.dataSync(), 1e-6);
      const loss = (f: typeof conv2dValid) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), weights));
      const [dxOurs, dkOurs] = tf.grads(loss(conv2dValid))([x, kernel]);
      const [dxRef, dkRef] = tf.grads(loss((a, b) => tf.conv2d(a, b, 1, 'valid')))([x, kernel]);
      expectClose(dxOurs!.dataSync(), dxRef!.dataSync(), 1e-5);
      expectClose(dkOurs!.dataSync(), dkRef!.dataSync(), 1e-5);
      expect(Math.max(...Array.from(dkOurs!.dataSync()).map(Math.abs))).toBeGreaterThan(0.1);
      tf.dispose([ours, reference, dxOurs!, dkOurs!, dxRef!, dkRef!]);
    });
    tf.dispose([x, kernel, weights]);
  });
});

describe('pointwise', () => {
  it('equals a 1×1 convolution', async () => {
    const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 4) as tf.Tensor4D;
    const kernel = tf.randomNormal([5, 6], 0, 1, 'float32', 5) as tf.Tensor2D;
    await expectNoLeak(() => {
      const ours = pointwise(x, kernel);
      const reference = tf.tidy(() => tf.conv2d(x, tf.reshape(kernel, [1, 1, 5, 6]) as tf.Tensor4D, 1, 'valid'));
      expect(ours.shape).toEqual([2, 3, 4, 6]);
      expectClose(ours.dataSync(), reference.dataSync(), 1e-5);
      tf.dispose([ours, reference]);
    });
    tf.dispose([x, kernel]);
  });
});
