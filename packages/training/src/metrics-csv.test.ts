import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTinyModel, tinyDataset } from './__fixtures__/tiny-model';
import { metricsCsv } from './metrics-csv';
import { fit } from './node/node-fit';
import type { EpochRecord } from './run-format';

/** Records with only the fields a test needs. */
const records = (...lines: Record<string, number | string>[]) => lines as EpochRecord[];

describe('metricsCsv', () => {
  it('writes a header of the fields in order, then a row per epoch, every digit kept', () => {
    const csv = metricsCsv(
      records(
        { epoch: 1, train_loss: 164.90123456789, test_loss: 128.27, backend: 'wasm-native' },
        { epoch: 2, train_loss: 120.5, test_loss: Number.NaN, backend: 'wasm-native', test_code_usage: 0.5 },
      ),
    );
    expect(csv).toBe(
      [
        'epoch,train_loss,test_loss,backend,test_code_usage',
        '1,164.90123456789,128.27,wasm-native,',
        '2,120.5,,wasm-native,0.5',
        '',
      ].join('\n'),
    );
  });

  it('quotes a field with a comma or a quote, and gives just a header for no records', () => {
    expect(metricsCsv(records({ epoch: 1, train_loss: 1, test_loss: 2, backend: 'a,"b"' })).split('\n')[1]).toBe(
      '1,1,2,"a,""b"""',
    );
    expect(metricsCsv([])).toBe('\n');
  });
});

describe('metrics.csv in a run folder', () => {
  it('holds what metrics.jsonl holds, a row per epoch, also after a resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaejs-csv-'));
    try {
      const data = { train: tinyDataset(16, 1, 'tiny-train'), test: tinyDataset(8, 2, 'tiny-test') };
      const options = { batchSize: 8, seed: 3, verbose: 0 as const, runDir: dir, previews: false };
      let model = createTinyModel();
      await fit(model, data, { ...options, epochs: 1 });
      model.dispose();
      model = createTinyModel();
      await fit(model, data, { ...options, epochs: 2, resume: true });
      model.dispose();
      const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
      const [header, ...rows] = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
      expect(rows).toHaveLength(2);
      const fields = (header as string).split(',');
      expect(fields.slice(0, 3)).toEqual(['epoch', 'train_loss', 'test_loss']);
      rows.forEach((row, i) => {
        const record = JSON.parse(lines[i] as string);
        const cells = row.split(',');
        for (const [k, field] of fields.entries()) expect(cells[k], field).toBe(String(record[field]));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
