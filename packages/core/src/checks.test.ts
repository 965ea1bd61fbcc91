import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  assertDtype,
  assertNumberInRange,
  assertOneOf,
  assertPositiveInt,
  assertRank,
  assertSameShape,
  assertShape,
  assertValueRange,
} from './checks';
import { ConfigError, DTypeError, ShapeError, VaejsError, ValueError } from './errors';

describe('input checks', () => {
  const x = tf.zeros([8, 16, 16, 32]);

  it('assertRank names the function, the argument, the rank and the shape', () => {
    expect(() => assertRank('vae.encode', 'x', x, 2)).toThrow(
      /^vae\.encode: expected x rank 2, got rank 4 \(shape \[8,16,16,32\]\)\.$/,
    );
    expect(() => assertRank('f', 'x', x, [2, 3])).toThrow(/expected x rank 2 or 3/);
    expect(() => assertRank('f', 'x', x, [3, 4])).not.toThrow();
    expect(() => assertRank('f', 'x', [1, 2] as unknown as tf.Tensor, 2)).toThrow(
      /f: expected x a tf\.Tensor, got an array\./,
    );
  });

  it('assertShape matches null as any size and names the source of the expectation', () => {
    expect(() => assertShape('f', 'z', x, [null, null, null, 32])).not.toThrow();
    expect(() => assertShape('vqvae.quantize', 'z', x, [null, null, null, 64], 'config.dim')).toThrow(
      /^vqvae\.quantize: expected z shape \[\?,\?,\?,64\] \(config\.dim\), got shape \[8,16,16,32\]\.$/,
    );
    expect(() => assertShape('f', 'z', x, [8, 16])).toThrow(ShapeError);
  });

  it('assertSameShape compares two tensors', () => {
    expect(() => assertSameShape('loss', 'x', x, 'y', tf.zeros([8, 16, 16, 3]))).toThrow(
      /loss: expected y the shape of x \[8,16,16,32\], got shape \[8,16,16,3\]\./,
    );
  });

  it('assertDtype lists what is allowed', () => {
    expect(() => assertDtype('f', 'indices', x, 'int32')).toThrow(
      /f: expected indices dtype int32, got dtype float32\./,
    );
    expect(() => assertDtype('f', 'indices', x, ['int32', 'float32'])).not.toThrow();
    expect(() => assertDtype('f', 'indices', x, 'int32')).toThrow(DTypeError);
  });

  it('assertValueRange reports the range found and NaNs', () => {
    expect(() => assertValueRange('f', 'x', tf.tensor([0, 0.5, 2]), 0, 1)).toThrow(
      /f: expected x values in \[0, 1\], got values in \[0, 2\]\./,
    );
    expect(() => assertValueRange('f', 'x', tf.tensor([0, Number.NaN]), 0, 1)).toThrow(/got NaN at index 1/);
    expect(() => assertValueRange('f', 'x', tf.tensor([0, 1]), 0, 1)).not.toThrow();
  });

  it('scalar config checks name the value received', () => {
    expect(() => assertPositiveInt('createVae', 'config.latentDim', 0)).toThrow(
      /createVae: expected config\.latentDim a positive integer, got 0\./,
    );
    expect(() => assertPositiveInt('f', 'n', 2.5)).toThrow(ConfigError);
    expect(() => assertNumberInRange('f', 'beta', -1, 0, 1)).toThrow(/expected beta a number in \[0, 1\], got -1/);
    expect(() => assertOneOf('f', 'likelihood', 'poisson', ['bernoulli', 'gaussian'])).toThrow(
      /expected likelihood one of bernoulli \| gaussian, got 'poisson'\./,
    );
  });

  it('error classes are recognised across copies by their marker, not their prototype', () => {
    const error = new ValueError('x');
    expect(VaejsError.isInstance(error)).toBe(true);
    expect(ValueError.isInstance(error)).toBe(true);
    expect(ShapeError.isInstance(error)).toBe(false);
    const foreign = Object.assign(new Error('copy'), { [Symbol.for('@vaejs/core/error')]: true, kind: 'shape' });
    expect(ShapeError.isInstance(foreign)).toBe(true);
    expect(VaejsError.isInstance(new Error('plain'))).toBe(false);
  });
});
