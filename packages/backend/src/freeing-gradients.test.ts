import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { freeingGradientsInstalled, installFreeingGradients, uninstallFreeingGradients } from './freeing-gradients';

afterEach(() => uninstallFreeingGradients());

/** Passes its input on and, in the backward pass, its output gradient unchanged (the same tensor object). */
const passThrough = tf.customGrad((...args: unknown[]) => {
  const [x] = args as [tf.Tensor];
  return { value: tf.mul(x, 1), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor] };
});

/** A small graph with shared inputs, broadcasting, a multi-output op, a clone and a pass-through gradient. */
function loss(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Scalar {
  const h = tf.add(tf.matMul(x, w), b); // [4, 6], b broadcast
  const [left, right] = tf.split(h, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const gated = tf.mul(tf.tanh(left), tf.sigmoid(passThrough(right) as tf.Tensor2D));
  const again = tf.matMul(gated, tf.transpose(tf.slice(w, [0, 0], [3, 3]))); // w used twice
  return tf.add(tf.sum(tf.square(tf.clone(again))), tf.mul(tf.sum(tf.mul(x, x)), 0.5)) as tf.Scalar;
}

const inputs = () => [
  tf.randomNormal([4, 3], 0, 1, 'float32', 1) as tf.Tensor2D,
  tf.randomNormal([3, 6], 0, 1, 'float32', 2) as tf.Tensor2D,
  tf.randomNormal([6], 0, 1, 'float32', 3) as tf.Tensor1D,
];

/** Value and gradients of `loss` (and of a weighted loss with a caller's dy), read into arrays. */
function gradientsOfLoss(): number[][] {
  const [x, w, b] = inputs() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => loss(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D);
  const { value, grads } = tf.valueAndGrads(f)([x, w, b]);
  const dy = tf.scalar(-2.5);
  const weighted = tf.grads(f)([x, w, b], dy);
  expect(dy.isDisposed).toBe(false); // the caller's dy is the caller's
  const out = [value, ...grads, ...weighted].map((t) => Array.from(t.dataSync()));
  tf.dispose([x, w, b, dy, value, ...grads, ...weighted]);
  return out;
}

/**
 * Runs `fn` and returns the peak of the bytes held in distinct data buffers meanwhile (tf.profile's peakBytes counts
 * every tensor, so clones sharing a buffer count twice).
 */
function peakBufferBytes(fn: () => void): number {
  const engine = tf.engine() as unknown as {
    trackTensor(t: tf.Tensor, backend: unknown): void;
    removeDataId(id: object, backend: unknown): void;
  };
  const live = new Map<object, number>();
  let now = 0;
  let peak = 0;
  engine.trackTensor = function (this: unknown, t, backend) {
    Object.getPrototypeOf(engine).trackTensor.call(this, t, backend);
    if (!live.has(t.dataId)) {
      live.set(t.dataId, t.size * 4);
      now += t.size * 4;
      peak = Math.max(peak, now);
    }
  };
  engine.removeDataId = function (this: unknown, id, backend) {
    Object.getPrototypeOf(engine).removeDataId.call(this, id, backend);
    now -= live.get(id) ?? 0;
    live.delete(id);
  };
  try {
    fn();
  } finally {
    delete (engine as Partial<typeof engine>).trackTensor;
    delete (engine as Partial<typeof engine>).removeDataId;
  }
  return peak;
}

describe('freeing backward pass', () => {
  it('gives exactly the gradients of the stock pass, with shared inputs, split, clone and a pass-through', () => {
    const stock = gradientsOfLoss();
    installFreeingGradients();
    const freeing = gradientsOfLoss();
    expect(freeing).toEqual(stock);
    expect(stock[1]?.some((v) => v !== 0)).toBe(true);
  });

  it('leaves no tensor behind and holds far less memory at its peak than the stock pass', () => {
    // A 24-layer tanh MLP, each layer in its own tidy as tf.layers layers are: the forward pass holds only what the
    // backward pass needs, and the stock backward pass keeps every gradient too, to its end.
    const weights = Array.from({ length: 24 }, (_, i) =>
      tf.variable(tf.randomNormal([64, 64], 0, 0.15, 'float32', 10 + i)),
    );
    const x = tf.randomNormal([128, 64], 0, 1, 'float32', 9);
    const f = () => {
      let h: tf.Tensor = x;
      for (const w of weights) h = tf.tidy(() => tf.tanh(tf.matMul(h, w)));
      return tf.sum(tf.square(h)) as tf.Scalar;
    };
    const step = () => {
      const before = tf.memory().numTensors;
      let result = 0;
      const peak = peakBufferBytes(() => {
        const { value, grads } = tf.variableGrads(f);
        result = tf.tidy(() => tf.addN(Object.values(grads)).dataSync()[0] as number);
        tf.dispose([value, ...Object.values(grads)]);
      });
      expect(tf.memory().numTensors).toBe(before);
      return { peak, result };
    };
    const stock = step();
    installFreeingGradients();
    const freeing = step();
    expect(freeing.result).toBe(stock.result);
    expect(freeing.peak).toBeLessThan(0.6 * stock.peak);
    tf.dispose([x, ...weights]);
  });

  it('gives no gradient to a variable the loss does not use, as tfjs-core does', () => {
    const used = tf.variable(tf.tensor1d([1, 2]));
    const unused = tf.variable(tf.tensor1d([3]));
    const run = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(used)) as tf.Scalar, [used, unused]);
      const out = { keys: Object.keys(grads), used: Array.from(grads[used.name]!.dataSync()) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const stock = run();
    installFreeingGradients();
    expect(run()).toEqual(stock);
    expect(stock).toEqual({ keys: [used.name], used: [2, 4] });
    tf.dispose([used, unused]);
  });

  it('keeps the stock pass for a gradient of a gradient', () => {
    installFreeingGradients();
    const x = tf.scalar(2);
    const second = tf.grad(tf.grad((v: tf.Tensor) => tf.pow(v, 3)))(x); // 6x
    expect(second.dataSync()[0]).toBe(12);
    tf.dispose([x, second]);
  });

  it('throws the stock errors: no path from x to y, a non-float dy', () => {
    installFreeingGradients();
    const x = tf.scalar(1);
    const other = tf.scalar(3);
    expect(() => tf.grad(() => tf.mul(other, 2))(x)).toThrow(/^Cannot compute gradient of y=f\(x\) with respect to x/);
    expect(() => tf.grad((v: tf.Tensor) => tf.mul(v, 2))(x, tf.scalar(1, 'int32'))).toThrow(/dy must have 'float32'/);
    tf.dispose([x, other]);
  });

  it('installs once and uninstalls to the stock method', () => {
    const engine = tf.engine() as unknown as { gradients: unknown };
    const stock = engine.gradients;
    installFreeingGradients();
    const installed = engine.gradients;
    installFreeingGradients();
    expect(engine.gradients).toBe(installed);
    expect(installed).not.toBe(stock);
    expect(freeingGradientsInstalled()).toBe(true);
    uninstallFreeingGradients();
    expect(engine.gradients).toBe(stock);
    expect(freeingGradientsInstalled()).toBe(false);
  });
});
