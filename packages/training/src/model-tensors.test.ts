import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createTinyModel } from './__fixtures__/tiny-model';
import { readModelTensors, writeModelTensors } from './model-tensors';
import type { SafetensorsTensor } from './safetensors';

describe('readModelTensors and writeModelTensors: a model’s tensors by name, through save and restore', () => {
  it('reads every tensor with its shape and values, and writes them into another model bit for bit', async () => {
    const source = createTinyModel({ seed: 3 });
    const target = createTinyModel({ seed: 9 });
    const { manifest, tensors } = await readModelTensors(source);
    expect(manifest.format).toBe('vaejs-tiny');
    expect(Object.keys(tensors)).toEqual(['w0', 'w1']);
    expect(tensors.w0?.shape).toEqual([16, 3]);
    await writeModelTensors(target, tensors);
    expect(target.weights()).toEqual(source.weights());
    source.dispose();
    target.dispose();
  });

  it('refuses a missing, extra, misshapen, mistyped or non-finite tensor in one line naming it, and changes nothing', async () => {
    const model = createTinyModel();
    const before = model.weights();
    const { tensors } = await readModelTensors(model);
    const w0 = tensors.w0 as SafetensorsTensor;
    const cases: [Record<string, SafetensorsTensor>, RegExp][] = [
      [{ w0 }, /^load: expected model\.safetensors tensor 'w1' \(one of the model's\), got none\.$/],
      [
        { ...tensors, w2: w0 },
        /^load: expected model\.safetensors only the model's tensors, got 'w2', which it has not\.$/,
      ],
      [
        { ...tensors, w0: { ...w0, shape: [8, 6] } },
        /^load: expected model\.safetensors tensor 'w0' of shape \[16,3\], got \[8,6\]\.$/,
      ],
      [
        { ...tensors, w0: { ...w0, dtype: 'int32', data: new Int32Array(48) } },
        /^load: expected model\.safetensors tensor 'w0' dtype float32, got int32\.$/,
      ],
      [
        { ...tensors, w0: { ...w0, data: Float32Array.from(w0.data, (v, i) => (i === 5 ? Number.NaN : v)) } },
        /^load: expected model\.safetensors tensor 'w0' finite values, got NaN at 5\.$/,
      ],
    ];
    for (const [given, message] of cases) {
      await expect(writeModelTensors(model, given, { fn: 'load', source: 'model.safetensors' })).rejects.toThrow(
        message,
      );
    }
    expect(model.weights()).toEqual(before);
    model.dispose();
  });

  it('leaves no tensor behind', async () => {
    const model = createTinyModel();
    const before = tf.memory().numTensors;
    await writeModelTensors(model, (await readModelTensors(model)).tensors);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
