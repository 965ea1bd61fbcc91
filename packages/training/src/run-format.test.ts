import { describe, expect, it } from 'vitest';
import { checkCheckpointInfo } from './run-format';

/** A checkpoint.json as fit writes it in the middle of epoch 3 (16 steps an epoch), with two epochs of history. */
const record = (epoch: number) => ({ epoch, train_loss: 10 - epoch, test_loss: null, recon: 9, backend: 'cpu' });
const valid = {
  format: 'vaejs-checkpoint',
  version: 1,
  kind: 'vae',
  epoch: 3,
  step: 37,
  batch: 5,
  state: {
    rng: { seed: 0, counter: 37 },
    history: [record(1), record(2)],
    partial: { sums: { loss: 40.5 }, seen: 80, seconds: 0.5 },
  },
};

describe('checkCheckpointInfo', () => {
  it('accepts what fit writes, with and without the optional state', () => {
    expect(checkCheckpointInfo(valid)).toEqual(valid);
    const { batch: _batch, ...end } = valid;
    const endOfEpoch = { ...end, epoch: 2, state: { rng: valid.state.rng, history: valid.state.history } };
    expect(checkCheckpointInfo(endOfEpoch)).toEqual(endOfEpoch);
    const bare = { format: 'vaejs-checkpoint', version: 1, kind: 'vqvae', epoch: 0, step: 0, state: {} };
    expect(checkCheckpointInfo(bare)).toEqual(bare);
  });

  it('refuses every field out of its domain in one line naming the file and the field', () => {
    const tampered: [string, (info: typeof valid) => unknown, RegExp][] = [
      [
        'batch beyond the steps trained',
        (info) => ({ ...info, batch: 1e9 }),
        /x\.json batch an integer in \[0, 37\] \(at most the steps trained, step 37\), got 1000000000\.$/,
      ],
      ['a version this release does not read', (info) => ({ ...info, version: 2 }), /x\.json version 1, got 2\.$/],
      [
        'state.history a string',
        (info) => ({ ...info, state: { ...info.state, history: 'zzz' } }),
        /x\.json state\.history an array of epoch records, got 'zzz'\.$/,
      ],
      [
        'a history record out of order',
        (info) => ({ ...info, state: { ...info.state, history: [record(1), record(1)] } }),
        /x\.json state\.history\[1\]\.epoch 2 \(records in epoch order\), got 1\.$/,
      ],
      [
        'a history record that is no object',
        (info) => ({ ...info, state: { ...info.state, history: [record(1), 'z'] } }),
        /x\.json state\.history\[1\] an epoch record \(an object\), got 'z'\.$/,
      ],
      [
        'a figure of a record that is an object',
        (info) => ({ ...info, state: { ...info.state, history: [record(1), { ...record(2), kl: {} }] } }),
        /x\.json state\.history\[1\]\.kl a number or a string, got an object\.$/,
      ],
      [
        'a history longer than the epochs completed',
        (info) => ({ ...info, state: { ...info.state, history: [record(1), record(2), record(3)] } }),
        /x\.json state\.history at most 2 records \(one per epoch completed\), got 3\.$/,
      ],
      [
        'rng.counter negative',
        (info) => ({ ...info, state: { ...info.state, rng: { seed: 0, counter: -1 } } }),
        /x\.json state\.rng\.counter an integer ≥ 0, got -1\.$/,
      ],
      [
        'partial.seen a string',
        (info) => ({ ...info, state: { ...info.state, partial: { ...info.state.partial, seen: '80' } } }),
        /x\.json state\.partial\.seen an integer ≥ 0, got '80'\.$/,
      ],
      [
        'partial.sums holding null',
        (info) => ({ ...info, state: { ...info.state, partial: { ...info.state.partial, sums: { loss: null } } } }),
        /x\.json state\.partial\.sums\.loss a finite number, got null\.$/,
      ],
      ['state an array', (info) => ({ ...info, state: [] }), /x\.json state an object, got an array of 0\.$/],
    ];
    for (const [name, tamper, message] of tampered) {
      expect(() => checkCheckpointInfo(tamper(structuredClone(valid)), 'x.json'), name).toThrow(
        new RegExp(`^checkpoint: expected ${message.source}`),
      );
    }
  });
});
