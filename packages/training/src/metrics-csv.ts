/**
 * metrics.csv: the epoch records of metrics.jsonl as a table for a spreadsheet or pandas (`pd.read_csv`), as Keras'
 * CSVLogger writes its own: a header of the fields (in the order the first record has them, later fields after),
 * then a row per epoch; numbers as JavaScript prints them (every digit kept), text quoted when it has to be, empty
 * cells for fields a record lacks and for NaN.
 */
import type { EpochRecord } from './run-format';

/**
 * The CSV text of `records` (RFC 4180: comma-separated, CRLF-free `\n` lines, fields with a comma, a quote or a line
 * break quoted); an empty cell where a record lacks a field.
 * @example metricsCsv([{ epoch: 1, train_loss: 164.9, test_loss: 128.3 }]) // 'epoch,train_loss,test_loss\n1,164.9,128.3\n'
 */
export function metricsCsv(records: readonly EpochRecord[]): string {
  const fields: string[] = [];
  for (const record of records) for (const key of Object.keys(record)) if (!fields.includes(key)) fields.push(key);
  const rows = records.map((record) => fields.map((key) => cell(record[key])).join(','));
  return [fields.map(cell).join(','), ...rows].map((row) => `${row}\n`).join('');
}

// helpers

function cell(value: unknown): string {
  // empty for a missing field and for NaN (no test data: metrics.jsonl's null); pandas reads both as NaN
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  const text = String(value); // numbers with every digit
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
