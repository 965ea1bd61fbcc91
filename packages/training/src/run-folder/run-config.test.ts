import { describe, expect, it } from 'vitest';
import { tinyDataset } from '../__fixtures__/tiny-model';
import { resolveFitOptions } from '../options';
import { createRunConfig, parseRunConfig } from './run-config';

const manifest = { format: 'vaejs-tiny', version: 1, parts: ['weights'], config: { pixels: 16 } };
const data = { train: tinyDataset(10), test: null };

describe('createRunConfig', () => {
  it("describes the run: kind, model config, fit's options, the data, the caller's app", () => {
    const options = resolveFitOptions({ epochs: 3, batchSize: 4, runInfo: { flags: { x: 1 } } });
    const config = createRunConfig('tiny', manifest, data, options, null);
    expect(config).toMatchObject({
      format: 'vaejs-run',
      version: 1,
      kind: 'tiny',
      model: { pixels: 16 },
      fit: { epochs: 3, batchSize: 4, testBatchSize: 500, optimizer: 'adam', learningRate: 0.001 },
      data: { train: { name: 'tiny', size: 10 }, test: null },
      app: { flags: { x: 1 } },
    });
    expect(Date.parse(config.createdAt)).toBeGreaterThan(0);
  });

  it('keeps the first createdAt and app of a resumed run unless given a new app', () => {
    const first = { ...createRunConfig('tiny', manifest, data, resolveFitOptions({ runInfo: { a: 1 } }), null) };
    first.createdAt = '2020-01-01T00:00:00.000Z';
    const again = createRunConfig('tiny', manifest, data, resolveFitOptions({ epochs: 5 }), first);
    expect([again.createdAt, again.app, again.fit.epochs]).toEqual(['2020-01-01T00:00:00.000Z', { a: 1 }, 5]);
    const renamed = createRunConfig('tiny', manifest, data, resolveFitOptions({ runInfo: { b: 2 } }), first);
    expect(renamed.app).toEqual({ b: 2 });
  });
});

describe('parseRunConfig', () => {
  it("takes a vaejs run's config and nothing else", () => {
    const config = createRunConfig('tiny', manifest, data, resolveFitOptions(), null);
    expect(parseRunConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    expect(parseRunConfig({ command: 'train' })).toBeNull();
    expect(parseRunConfig(null)).toBeNull();
    expect(parseRunConfig('config')).toBeNull();
  });
});
