import { describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError, formatExpected } from './errors';
import { assertSameConfig, checkManifest, checkPartIO } from './manifest';

const expected = { format: 'vaejs-toy', version: 2, parts: ['encoder', 'decoder'] } as const;
const good = { format: 'vaejs-toy', version: 2, parts: ['encoder', 'decoder', 'extra'], config: { size: 3 } };

describe('checkManifest', () => {
  it('returns the manifest with its fields (and any others) when it matches', () => {
    const checked = checkManifest('loadToy', { ...good, note: 'kept' }, expected);
    expect(checked).toEqual({ ...good, note: 'kept' });
    expect(checked.parts).not.toBe(good.parts);
  });

  it('rejects what is not an object', () => {
    expect(() => checkManifest('loadToy', null, expected)).toThrow(
      /^loadToy: expected manifest an object, got null\.$/,
    );
    expect(() => checkManifest('loadToy', 'toy.json', expected)).toThrow(
      /^loadToy: expected manifest an object, got 'toy\.json'\.$/,
    );
    expect(() => checkManifest('loadToy', [good], expected)).toThrow(
      /^loadToy: expected manifest an object, got an array of 1\.$/,
    );
    expect(() => checkManifest('loadToy', 3, expected)).toThrow(CheckpointError);
  });

  it('rejects another format or version', () => {
    expect(() => checkManifest('loadToy', { ...good, format: 'vaejs-vqvae' }, expected)).toThrow(
      /^loadToy: expected manifest\.format 'vaejs-toy', got 'vaejs-vqvae'\.$/,
    );
    expect(() => checkManifest('loadToy', { ...good, format: undefined }, expected)).toThrow(
      /^loadToy: expected manifest\.format 'vaejs-toy', got undefined\.$/,
    );
    expect(() => checkManifest('loadToy', { ...good, version: 1 }, expected)).toThrow(
      /^loadToy: expected manifest\.version 2, got 1\.$/,
    );
    expect(() => checkManifest('loadToy', { ...good, version: '2' }, expected)).toThrow(
      /^loadToy: expected manifest\.version 2, got '2'\.$/,
    );
  });

  it('rejects a parts list that misses an expected part, or is not a list of names', () => {
    expect(() => checkManifest('loadToy', { ...good, parts: ['encoder'] }, expected)).toThrow(
      /^loadToy: expected manifest\.parts to include 'encoder', 'decoder', got \['encoder'\]\.$/,
    );
    expect(() => checkManifest('loadToy', { ...good, parts: 'encoder' }, expected)).toThrow(
      /^loadToy: expected manifest\.parts to include 'encoder', 'decoder', got 'encoder'\.$/,
    );
    expect(() => checkManifest('loadToy', { ...good, parts: ['encoder', 'decoder', 3] }, expected)).toThrow(
      /^loadToy: expected manifest\.parts to include 'encoder', 'decoder', got an array of 3\.$/,
    );
    const { parts: _, ...withoutParts } = good;
    expect(() => checkManifest('loadToy', withoutParts, expected)).toThrow(/got undefined\.$/);
  });

  it('rejects a config that is not an object, and turns resolveConfig errors into CheckpointErrors', () => {
    expect(() => checkManifest('loadToy', { ...good, config: 7 }, expected)).toThrow(
      /^loadToy: expected manifest\.config an object, got 7\.$/,
    );
    const resolveConfig = (config: unknown) => {
      const size = (config as { size: unknown }).size;
      if (typeof size !== 'number' || size < 4) {
        throw new ConfigError(formatExpected('loadToy', 'config.size', 'a number ≥ 4', String(size)));
      }
      return { size, resolved: true };
    };
    const call = () => checkManifest('loadToy', good, { ...expected, resolveConfig });
    expect(call).toThrow(CheckpointError);
    expect(call).toThrow(
      /^loadToy: expected manifest\.config a valid config, got one that fails: loadToy: expected config\.size a number ≥ 4, got 3\.$/,
    );
    const checked = checkManifest('loadToy', { ...good, config: { size: 5 } }, { ...expected, resolveConfig });
    expect(checked.config).toEqual({ size: 5, resolved: true });
    const bug = () => {
      throw new TypeError('a bug');
    };
    expect(() => checkManifest('loadToy', good, { ...expected, resolveConfig: bug })).toThrow(TypeError);
  });
});

describe('assertSameConfig', () => {
  const model = { inputShape: [28, 28, 1], latentDim: 2, kind: 'vae', seed: 0 };

  it('accepts the same config, in any key order, and differences in ignored fields', () => {
    expect(() => assertSameConfig('f', { ...model }, model)).not.toThrow();
    expect(() =>
      assertSameConfig('f', { seed: 9, kind: 'vae', latentDim: 2, inputShape: [28, 28, 1] }, model, {
        ignore: ['seed'],
      }),
    ).not.toThrow();
  });

  it("names the first differing field, in the model config order, with both values as JSON (strings in '…')", () => {
    expect(() => assertSameConfig('vae.restore', { ...model, latentDim: 3, kind: 'ae' }, model)).toThrow(
      CheckpointError,
    );
    expect(() => assertSameConfig('vae.restore', { ...model, latentDim: 3, kind: 'ae' }, model)).toThrow(
      /^vae\.restore: expected manifest\.config\.latentDim 2 \(this model's config\), got 3\.$/,
    );
    expect(() => assertSameConfig('f', { ...model, inputShape: [28, 28, 3] }, model)).toThrow(
      /^f: expected manifest\.config\.inputShape \[28,28,1\] \(this model's config\), got \[28,28,3\]\.$/,
    );
    expect(() => assertSameConfig('f', { ...model, seed: 1 }, model)).toThrow(/config\.seed 0 .*, got 1\.$/);
    const { kind: _, ...withoutKind } = model;
    expect(() => assertSameConfig('f', withoutKind, model)).toThrow(/config\.kind 'vae' .*, got undefined\.$/);
    expect(() => assertSameConfig('f', { ...model, extra: true }, model)).toThrow(
      /^f: expected manifest\.config\.extra undefined \(this model's config\), got true\.$/,
    );
  });
});

describe('checkPartIO', () => {
  it('takes a function and names what it must return otherwise', () => {
    expect(() => checkPartIO('toy.restore', () => null)).not.toThrow();
    expect(() => checkPartIO('toy.restore', 'folder')).toThrow(
      /^toy\.restore: expected io a function \(part\) => tf\.io\.IOHandler, got 'folder'\.$/,
    );
    expect(() => checkPartIO('loadToy', undefined, 'tf.io.IOHandler | string')).toThrow(
      /^loadToy: expected io a function \(part\) => tf\.io\.IOHandler \| string, got undefined\.$/,
    );
    expect(() => checkPartIO('loadToy', {})).toThrow(CheckpointError);
  });
});
