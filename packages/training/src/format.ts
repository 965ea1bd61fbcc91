/**
 * How numbers read on a terminal, one format everywhere: figures to 4 significant digits (`130.2`, `0.5676`,
 * `24,830`), losses while training to fixed decimals (`104.93`), speeds as whole numbers with thousands separators (`7,048 items/s`; `6.26` below 10), durations as a
 * clock (`0:42`, `1:05:09`). Independent of the locale: a log reads the same on every machine.
 */

/**
 * A figure to `digits` significant digits (default 4), grouped by thousands past them: 240.83944 → `240.8`,
 * 0.0123456 → `0.01235`, 123456.7 → `123,457`, 1.5e-7 → `1.500e-7`; an integer whole: 64 → `64`, 10000 → `10,000`.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return grouped(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4) return value.toExponential(digits - 1);
  const precise = value.toPrecision(digits);
  // from 10^digits (or rounded up to it: 9999.6) a whole number, grouped
  return precise.includes('e+') ? grouped(Math.round(value)) : precise;
}

/**
 * A training loss as `fit` prints it, to a fixed number of decimals so that a column of epochs lines up: 2 from 10
 * (`104.93`), 4 below (`0.5676`), none from 1,000 (`24,830`).
 */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1000 ? grouped(Math.round(value)) : magnitude >= 10 ? value.toFixed(2) : value.toFixed(4);
}

/** A speed: a whole number grouped by thousands (`7,048`), 3 significant digits below 10 (`6.26`, `0.412`). */
export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 10 ? grouped(Math.round(value)) : formatNumber(value, 3);
}

/** A duration as a clock: 42.4 → `0:42`, 65 → `1:05`, 3909 → `1:05:09`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?:??';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/**
 * The rows of a table of scores, in the order of `meanings` (each score's name and what it is): the name, the value
 * to 4 significant digits, the meaning; a score that is null or missing in `scores` gets no row.
 * @example formatTable(['score', 'value', 'what it is'], scoreRows({ loss: 0.51234 }, [['loss', 'nats']])) // loss  0.5123  nats
 */
export function scoreRows(
  scores: Readonly<Record<string, unknown>>,
  meanings: readonly (readonly [string, string])[],
): string[][] {
  return meanings
    .filter(([key]) => typeof scores[key] === 'number')
    .map(([key, meaning]) => [key, formatNumber(scores[key] as number), meaning]);
}

/**
 * The numbers of a record that are not integers to `digits` significant digits (default 7: as many as float32
 * holds), for JSON that does not claim more precision than was computed; other values as they are.
 * @example roundSignificant({ loss: 0.123456789, examples: 10 }) // { loss: 0.1234568, examples: 10 }
 */
export function roundSignificant(record: Readonly<Record<string, unknown>>, digits = 7): Record<string, unknown> {
  const round = (value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(digits)) : value;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, round(value)]));
}

/**
 * A plain-text table: a header row, a rule, then the rows; text columns left-aligned, numeric ones right-aligned.
 * @example
 * formatTable(['metric', 'value'], [['loss', '240.8']]) // 'metric  value\n------  -----\nloss    240.8'
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((name, column) => Math.max(name.length, ...rows.map((row) => (row[column] ?? '').length)));
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => NUMERIC.test(row[column] ?? '')));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

// helpers

const NUMERIC = /^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?$/i;

function grouped(integer: number): string {
  const sign = integer < 0 ? '-' : '';
  return sign + String(Math.abs(integer)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
