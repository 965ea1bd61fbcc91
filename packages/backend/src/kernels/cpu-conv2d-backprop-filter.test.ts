import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/kernel-compare';
import { cpuKernelConfigs, registerFastKernels, restoreKernels } from './register-all-kernels';

type Pad = 'same' | 'valid' | number;

/** dW of conv2d(x, w) · dy on the current kernels, as plain numbers. */
function filterGradient(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], pad: Pad, dilations: number) {
  return tf.tidy(() => {
    const grad = tf.grad((filter: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, strides, pad as 'same', 'NHWC', dilations), 1.5)),
    );
    return Array.from(grad(w).dataSync());
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  restoreKernels();
});

describe('cpu Conv2DBackpropFilter as one forward convolution', () => {
  it("gives the stock kernel's gradient on random geometries (strides, paddings, dilations)", () => {
    const random = seededRandom(7);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let trial = 0; trial < 24; trial++) {
      const filterShape: [number, number, number, number] = [int(1, 4), int(1, 4), int(1, 5), int(1, 6)];
      // tfjs' conv2d has no gradient for dilations above 1
      const dilations = 1;
      const strides: [number, number] = [int(1, 3), int(1, 3)];
      const pad: Pad = (['same', 'valid', int(0, 2)] as Pad[])[trial % 3]!;
      const reach = (filterShape[0] - 1) * dilations + 1;
      const x = tf.randomNormal(
        [int(1, 3), reach + int(1, 5), reach + int(1, 5), filterShape[2]],
        0,
        1,
        'float32',
        trial,
      ) as tf.Tensor4D;
      const w = tf.randomNormal(filterShape, 0, 1, 'float32', 100 + trial) as tf.Tensor4D;
      const stock = filterGradient(x, w, strides, pad, dilations);
      registerFastKernels(cpuKernelConfigs);
      const fast = filterGradient(x, w, strides, pad, dilations);
      restoreKernels();
      stock.forEach((value, i) => {
        expect(Math.abs((fast[i] as number) - value), `trial ${trial} index ${i}`).toBeLessThanOrEqual(
          1e-4 * (1 + Math.abs(value)),
        );
      });
      tf.dispose([x, w]);
    }
  });

  it('replaces the cpu kernel until restored, and frees its temporaries', () => {
    const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    expect(registerFastKernels(cpuKernelConfigs)).toEqual(['Conv2DBackpropFilter/cpu']);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(stock);
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([2, 2, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const gradient = filterGradient(x, w, [1, 1], 'same', 1);
    expect(gradient).toHaveLength(2 * 2 * 3 * 4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    restoreKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(stock);
  });
});
