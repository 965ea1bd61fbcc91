import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError } from './errors';
import { labelsToOneHot } from './labels';

const options = { numClasses: 3, count: 2 };

describe('labelsToOneHot', () => {
  it('one-hots an int32 tensor, an array and one index for all, as float32 [count, numClasses]', async () => {
    const labels = tf.tensor1d([2, 0], 'int32');
    for (const input of [labels, [2, 0]]) {
      const oneHot = labelsToOneHot('f', input, options);
      expect(oneHot.dtype).toBe('float32');
      expect(oneHot.shape).toEqual([2, 3]);
      expect(Array.from(oneHot.dataSync())).toEqual([0, 0, 1, 1, 0, 0]);
      oneHot.dispose();
    }
    const all = labelsToOneHot('f', 1, { numClasses: 3, count: 3 });
    expect(Array.from(all.dataSync())).toEqual([0, 1, 0, 0, 1, 0, 0, 1, 0]);
    all.dispose();
    await expectNoLeak(() => labelsToOneHot('f', labels, options));
    await expectNoLeak(() => labelsToOneHot('f', [1, 1], options));
    await expectNoLeak(() => labelsToOneHot('f', 0, options));
    labels.dispose();
  });

  it('rejects missing labels, numbers and arrays out of range, naming where K comes from', () => {
    const note = { ...options, note: "config.kind 'cvae'" };
    expect(() => labelsToOneHot('vae.encode', undefined, note)).toThrow(ValueError);
    expect(() => labelsToOneHot('vae.encode', undefined, note)).toThrow(
      /^vae\.encode: expected labels int32 \[2\] class indices in \[0, 2\] \(config\.kind 'cvae'\), got undefined\.$/,
    );
    expect(() => labelsToOneHot('f', [0, 3], options)).toThrow(
      /^f: expected labels int32 \[2\] class indices in \[0, 2\], got \[0,3\]\.$/,
    );
    expect(() => labelsToOneHot('f', [0], options)).toThrow(/got \[0\]\.$/);
    expect(() => labelsToOneHot('f', [0, 1.5], options)).toThrow(/got \[0,1\.5\]\.$/);
    expect(() => labelsToOneHot('f', 5, note)).toThrow(
      /^f: expected labels an integer class index in \[0, 2\] \(config\.kind 'cvae'\), got 5\.$/,
    );
    expect(() => labelsToOneHot('f', -1, options)).toThrow(ValueError);
    expect(() => labelsToOneHot('f', 'two', { ...options, argument: 'options.labels' })).toThrow(
      /^f: expected options\.labels int32 \[2\] class indices in \[0, 2\], got 'two'\.$/,
    );
  });

  it('checks a tensor: shape, dtype, then values unless checkValues is false', () => {
    const three = tf.tensor1d([0, 1, 2], 'int32');
    const floats = tf.tensor1d([0, 1], 'float32');
    const outOfRange = tf.tensor1d([0, 7], 'int32');
    expect(() => labelsToOneHot('f', three, options)).toThrow(ShapeError);
    expect(() => labelsToOneHot('f', three, options)).toThrow(
      /^f: expected labels shape \[2\] \(one per example\), got shape \[3\]\.$/,
    );
    expect(() => labelsToOneHot('f', floats, options)).toThrow(DTypeError);
    expect(() => labelsToOneHot('f', floats, options)).toThrow(/^f: expected labels dtype int32, got dtype float32\.$/);
    expect(() => labelsToOneHot('f', outOfRange, options)).toThrow(
      /^f: expected labels values in \[0, 2\], got values in \[0, 7\]\.$/,
    );
    // unchecked: tf.oneHot gives a zero row for an index out of range
    const unchecked = labelsToOneHot('f', outOfRange, { ...options, checkValues: false });
    expect(Array.from(unchecked.dataSync())).toEqual([1, 0, 0, 0, 0, 0]);
    tf.dispose([three, floats, outOfRange, unchecked]);
  });
});
