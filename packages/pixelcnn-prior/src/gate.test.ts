import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { type GatePair, gate, gatedActivation } from './gate';

describe('gate', () => {
  it('is gatedActivation of the two channel halves, with the same gradient as autodiff of it', async () => {
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
  });
});
