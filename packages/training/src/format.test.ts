import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatLoss,
  formatNumber,
  formatRate,
  formatTable,
  roundSignificant,
  scoreRows,
} from './format';

describe('number formats', () => {
  it('formatNumber: 4 significant digits, grouped past them, exponent for the tiny', () => {
    expect(formatNumber(240.83944555664064)).toBe('240.8');
    expect(formatNumber(0.0123456)).toBe('0.01235');
    expect(formatNumber(123456.7)).toBe('123,457');
    expect(formatNumber(-9999.6)).toBe('-10,000');
    expect(formatNumber(1.5e-7)).toBe('1.500e-7');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(64)).toBe('64');
    expect(formatNumber(10000)).toBe('10,000');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(2.34567, 2)).toBe('2.3');
  });

  it('formatRate: whole numbers grouped by thousands, 3 significant digits below 10', () => {
    expect(formatRate(7048.4)).toBe('7,048');
    expect(formatRate(553.26)).toBe('553');
    expect(formatRate(6.2608)).toBe('6.26');
    expect(formatRate(1234567)).toBe('1,234,567');
  });

  it('formatLoss: fixed decimals by magnitude', () => {
    expect(formatLoss(104.934)).toBe('104.93');
    expect(formatLoss(0.56764)).toBe('0.5676');
    expect(formatLoss(24830.4)).toBe('24,830');
  });

  it('formatDuration: a clock', () => {
    expect(formatDuration(42.4)).toBe('0:42');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3909)).toBe('1:05:09');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?:??');
  });

  it('formatTable: aligned columns, numbers to the right', () => {
    const table = formatTable(
      ['metric', 'value'],
      [
        ['loss', '240.8'],
        ['kl', '25.31'],
        ['dataset', 'mnist'],
      ],
    );
    expect(table).toBe(
      ['metric   value', '-------  -----', 'loss     240.8', 'kl       25.31', 'dataset  mnist'].join('\n'),
    );
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '1,024'],
          ['bb', '7'],
        ],
      ).split('\n'),
    ).toEqual(['name      n', '----  -----', 'a     1,024', 'bb        7']);
  });
});

describe('score tables', () => {
  it('scoreRows: the scores in the order of their meanings, to 4 digits, none for a null one', () => {
    const meanings = [
      ['loss', 'the training loss'],
      ['iwae_nll', 'the IWAE estimate'],
      ['bits_per_dim', 'loss / ln 2'],
    ] as const;
    expect(scoreRows({ bits_per_dim: 1.2345678, loss: 87.654321, iwae_nll: null }, meanings)).toEqual([
      ['loss', '87.65', 'the training loss'],
      ['bits_per_dim', '1.235', 'loss / ln 2'],
    ]);
  });

  it('roundSignificant: non-integers to 7 significant digits, the rest as they are', () => {
    expect(roundSignificant({ loss: 0.123456789, examples: 10, run: 'r', none: null })).toEqual({
      loss: 0.1234568,
      examples: 10,
      run: 'r',
      none: null,
    });
    expect(roundSignificant({ x: 2.345678 }, 3)).toEqual({ x: 2.35 });
  });
});
