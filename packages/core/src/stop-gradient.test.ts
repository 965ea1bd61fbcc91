import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { stopGradient, straightThrough } from './stop-gradient';

describe('stopGradient', () => {
  it('is the identity forward', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor2d([
        [1, -2],
        [3.5, 0],
      ]);
      const y = stopGradient(x);
      expect(y.shape).toEqual([2, 2]);
      expectClose(y.dataSync(), [1, -2, 3.5, 0]);
      expect(y).not.toBe(x);
      x.dispose();
      return y;
    });
  });

  it('has a zero gradient: d/dx sum(sg(x) * x) = x', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d([0.5, -1.5, 2]);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(x);
      // Without the stop-gradient this would be 2x.
      expectClose(grad.dataSync(), [0.5, -1.5, 2], 0);
      x.dispose();
      return grad;
    });
  });

  it('gives exactly zero gradient when it is the only path', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d([1, 2, 3]);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.square(stopGradient(v))))(x);
      expect(Array.from(grad.dataSync())).toEqual([0, 0, 0]);
      x.dispose();
      return grad;
    });
  });

  it('blocks gradients to variables in variableGrads', async () => {
    const w = tf.variable(tf.tensor1d([2, 3]));
    await expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(stopGradient(w), w)) as tf.Scalar, [w]);
      expectClose(value.dataSync(), [13]);
      expectClose((grads[w.name] as tf.Tensor).dataSync(), [2, 3], 0);
      return [value, grads];
    });
    w.dispose();
  });

  it('rejects non-float input', () => {
    const x = tf.tensor1d([1, 2], 'int32');
    expect(() => stopGradient(x)).toThrow(/^stopGradient: expected x dtype float32, got dtype int32\.$/);
    x.dispose();
    expect(() => stopGradient([1, 2] as unknown as tf.Tensor)).toThrow(
      /^stopGradient: expected x a tf\.Tensor, got an array\.$/,
    );
  });
});

describe('straightThrough', () => {
  it('returns output forward', async () => {
    await expectNoLeak(() => {
      const input = tf.tensor2d([[0.2, 0.7]]);
      const output = tf.tensor2d([[0, 1]]);
      const y = straightThrough(input, output);
      expectClose(y.dataSync(), [0, 1], 0);
      tf.dispose([input, output]);
      return y;
    });
  });

  it('passes dy to input exactly and zero to output', async () => {
    await expectNoLeak(() => {
      const input = tf.tensor2d([[0.2, 0.7, -3]]);
      const output = tf.tensor2d([[0, 1, 5]]);
      const weights = tf.tensor2d([[3, -1, 0.25]]);
      const [gradInput, gradOutput] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(weights, straightThrough(a, b))),
      )([input, output]);
      expect(Array.from(gradInput!.dataSync())).toEqual([3, -1, 0.25]);
      expect(Array.from(gradOutput!.dataSync())).toEqual([0, 0, 0]);
      tf.dispose([input, output, weights]);
      return [gradInput, gradOutput];
    });
  });

  it('matches input + sg(output - input) in value and gradient', async () => {
    await expectNoLeak(() => {
      const input = tf.tensor1d([0.3, -0.4]);
      const output = tf.tensor1d([1, -1]);
      const f = (a: tf.Tensor) => tf.sum(tf.square(straightThrough(a, output)));
      const g = (a: tf.Tensor) => tf.sum(tf.square(tf.add(a, stopGradient(tf.sub(output, a)))));
      const gradF = tf.grad(f)(input);
      const gradG = tf.grad(g)(input);
      // d/da sum(y²) with y = output forward = 2·output
      expectClose(gradF.dataSync(), [2, -2], 1e-6);
      expectClose(gradF.dataSync(), gradG.dataSync(), 1e-6);
      tf.dispose([input, output]);
      return [gradF, gradG];
    });
  });

  it('rejects mismatched shapes and dtypes', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    const c = tf.zeros([2, 3], 'int32');
    expect(() => straightThrough(a, b)).toThrow(
      /^straightThrough: expected output the shape of input \[2,3\], got shape \[2,4\]\.$/,
    );
    expect(() => straightThrough(a, c)).toThrow(/^straightThrough: expected output dtype float32, got dtype int32\.$/);
    expect(() => straightThrough(c, a)).toThrow(/^straightThrough: expected input dtype float32, got dtype int32\.$/);
    expect(() => straightThrough(a, undefined as unknown as tf.Tensor)).toThrow(
      /^straightThrough: expected output a tf\.Tensor, got undefined\.$/,
    );
    tf.dispose([a, b, c]);
  });
});
