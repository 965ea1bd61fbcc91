import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { gatedActivation } from './gated-block';
import { causalMask, MaskedConv2D } from './masked-conv';

describe('causalMask', () => {
  it('hides the centre for type A, keeps it for type B, and hides everything after it', async () => {
    await expectNoLeak(() => {
      const a = causalMask(3, 'A');
      const b = causalMask(5, 'B');
      expect(a.shape).toEqual([3, 3, 1, 1]);
      expect(Array.from(a.dataSync())).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0]);
      expect(Array.from(b.dataSync())).toEqual([
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ]);
      return [a, b];
    });
  });
});

describe('MaskedConv2D', () => {
  it('reads back its mask type from a serialised (snake-cased) config', () => {
    const layer = new MaskedConv2D({ filters: 2, kernelSize: 3, maskType: 'a' as 'A', numClasses: 0, seed: 1 });
    expect(layer.maskType).toBe('A');
    expect(layer.getConfig()).toMatchObject({ filters: 2, kernelSize: 3, maskType: 'A', numClasses: 0, seed: 1 });
  });
});

describe('gatedActivation', () => {
  it('is tanh of the first half times sigmoid of the second', async () => {
    const a = tf.tensor4d([0.5, -1], [1, 1, 1, 2]);
    const b = tf.tensor4d([2, 0.25], [1, 1, 1, 2]);
    await expectNoLeak(() => {
      const gated = gatedActivation([a, b]);
      expect(gated.shape).toEqual([1, 1, 1, 2]);
      const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
      const expected = [Math.tanh(0.5) * sigmoid(2), Math.tanh(-1) * sigmoid(0.25)];
      Array.from(gated.dataSync()).forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i] as number, 6);
      });
      return gated;
    });
    tf.dispose([a, b]);
  });
});
