import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { pointwise } from './ops';

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
