import { describe, expect, it } from 'vitest';
import { type BridgeConfig, checkBridgeConfig, optimizerSlotsIn, optimizerSlotsOut } from './bridge-format';
import type { SafetensorsTensor } from './safetensors';

const f32 = (shape: number[]): SafetensorsTensor => ({
  dtype: 'float32',
  shape,
  data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
});
const iter: SafetensorsTensor = { dtype: 'int32', shape: [], data: Int32Array.of(7) };

const VALID: BridgeConfig = {
  format: 'vaejs-pytorch',
  version: 1,
  kind: 'tiny',
  model: { pixels: 16, code: 3 },
  state: {},
  optimizer: { name: 'adam', learningRate: 0.001, order: ['a/kernel', 'b/kernel'] },
  training: {
    epoch: 1,
    step: 4,
    history: [],
    rng: null,
    fit: { seed: 0 },
    data: { train: { name: 'tiny', size: 16 }, test: null },
    app: null,
    dataset: {},
  },
};

describe('checkBridgeConfig', () => {
  it('takes a valid config and refuses each bad field in one line naming it', () => {
    expect(checkBridgeConfig(VALID)).toBe(VALID);
    const cases: [unknown, RegExp][] = [
      [{ ...VALID, format: 'vaejs-run' }, /^read: expected config\.json format 'vaejs-pytorch', got 'vaejs-run'\.$/],
      [{ ...VALID, version: 2 }, /^read: expected config\.json version 1, got 2\.$/],
      [{ ...VALID, kind: 7 }, /^read: expected config\.json kind a model kind, got 7\.$/],
      [{ ...VALID, model: null }, /^read: expected config\.json model the model config \(an object\), got null\.$/],
      [
        { ...VALID, optimizer: { ...VALID.optimizer, name: 'lion' } },
        /^read: expected config\.json optimizer\.name adam \| rmsprop \| sgd, got 'lion'\.$/,
      ],
      [
        { ...VALID, training: { ...VALID.training, epoch: -1 } },
        /^read: expected config\.json training\.epoch an integer ≥ 0, got -1\.$/,
      ],
      [[], /^read: expected config\.json a JSON object, got an array of 0\.$/],
    ];
    for (const [json, message] of cases) expect(() => checkBridgeConfig(json, 'config.json', 'read')).toThrow(message);
  });
});

describe('optimizer slots: out of fit’s state by weight name, and back in tfjs’ order', () => {
  const state = [
    { name: 'iter', tensor: iter },
    { name: 'a/kernel/m', tensor: f32([2, 3]) },
    { name: 'b/kernel_1/m', tensor: f32([3]) },
    { name: 'a/kernel/v', tensor: f32([2, 3]) },
    { name: 'b/kernel_1/v', tensor: f32([3]) },
    { name: 'vaejs-optimizer/accBeta1', tensor: f32([]) },
  ];

  it('names slots by the weights (a tfjs uniquifier dropped) and keeps their order', () => {
    const { slots, order } = optimizerSlotsOut('adam', state, ['a/kernel', 'b/kernel']);
    expect(order).toEqual(['a/kernel', 'b/kernel']);
    expect(Object.keys(slots).sort()).toEqual([
      'a/kernel/m',
      'a/kernel/v',
      'b/kernel/m',
      'b/kernel/v',
      'iter',
      'vaejs-optimizer/accBeta1',
    ]);
    const back = optimizerSlotsIn('adam', slots, order, { 'a/kernel': [2, 3], 'b/kernel': [3] });
    expect(back.map((slot) => slot.name)).toEqual([
      'iter',
      'a/kernel/m',
      'b/kernel/m',
      'a/kernel/v',
      'b/kernel/v',
      'vaejs-optimizer/accBeta1',
    ]);
  });

  it('refuses a slot of no weight, a missing or misshapen slot, and a stray tensor, naming it', () => {
    expect(() => optimizerSlotsOut('adam', state, ['a/kernel'], 'export')).toThrow(
      /^export: expected optimizer slot 'b\/kernel_1\/m' a adam slot of a weight of the model, got none matches\.$/,
    );
    const { slots, order } = optimizerSlotsOut('adam', state, ['a/kernel', 'b/kernel']);
    const shapes = { 'a/kernel': [2, 3], 'b/kernel': [3] };
    const { 'b/kernel/v': _dropped, ...missing } = slots;
    expect(() => optimizerSlotsIn('adam', missing, order, shapes, 'import')).toThrow(
      /^import: expected optimizer\.safetensors tensor 'b\/kernel\/v' float32 of shape \[3\], got none\.$/,
    );
    expect(() => optimizerSlotsIn('adam', { ...slots, 'a/kernel/m': f32([6]) }, order, shapes, 'import')).toThrow(
      /tensor 'a\/kernel\/m' float32 of shape \[2,3\], got float32 of shape \[6\]\.$/,
    );
    expect(() => optimizerSlotsIn('adam', { ...slots, extra: f32([1]) }, order, shapes, 'import')).toThrow(
      /^import: expected optimizer\.safetensors tensors only the adam slots of optimizer\.order, got 'extra'\.$/,
    );
    expect(() => optimizerSlotsIn('sgd', { iter: f32([]) }, [], {}, 'import')).toThrow(
      /^import: expected optimizer\.safetensors tensor 'iter' an int32 scalar, got float32 of shape \[\]\.$/,
    );
  });
});
