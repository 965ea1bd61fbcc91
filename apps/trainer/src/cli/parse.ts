/**
 * Value parsers for the flags, and the error every bad command line ends in: one line, exit code 2. A parser throws
 * commander's InvalidArgumentError with what it expects and what came (`a positive integer, got 'abc'`); main.ts
 * puts the flag in front, and a value from a file names the file too (options.ts).
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';

/** A bad command line or flag value: main prints `vaejs <command>: <message>` and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A value as messages show it: quoted, the first 40 characters. */
export function shown(value: string): string {
  return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
}

/** `<n>`: an integer in [min, max]. */
export function integer(min = 1, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const parsed = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const open = max === Number.MAX_SAFE_INTEGER && !(parsed > max);
      const range = open
        ? min === 1
          ? 'a positive integer'
          : `an integer ≥ ${min}`
        : `an integer in [${min}, ${max}]`;
      throw new InvalidArgumentError(`${range}, got ${shown(value)}`);
    }
    return parsed;
  };
}

/** `<x>`: a finite number in [min, max] (`exclusiveMin`: above min). */
export function number(
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  exclusiveMin = false,
): (value: string) => number {
  return (value) => {
    const parsed = value.trim() === '' ? Number.NaN : Number(value);
    const tooLow = exclusiveMin ? parsed <= min : parsed < min;
    if (!Number.isFinite(parsed) || tooLow || parsed > max) {
      const lower = Number.isFinite(min) ? `${exclusiveMin ? '>' : '≥'} ${min}` : '';
      const upper = Number.isFinite(max) ? `≤ ${max}` : '';
      const range = [lower, upper].filter(Boolean).join(' and ');
      throw new InvalidArgumentError(`a number${range ? ` ${range}` : ''}, got ${shown(value)}`);
    }
    return parsed;
  };
}

/** `<n>`: a seed, an integer in [0, 2^53). */
export const seed = integer(0, 2 ** 53 - 1);

/** `<x>`: a number above 0 (a learning rate). */
export const positive = number(0, Number.POSITIVE_INFINITY, true);

/** `<text>`: a non-empty string. */
export function text(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('a value, got nothing');
  return value;
}

/** `<folder>`, `<file>`: a non-empty path without a NUL character (which no file system takes). */
export function pathText(value: string): string {
  return withoutNul(text(value));
}

/** A path without a NUL character, empty or not (`--config ''` gets the message that lists the recipes). */
export function withoutNul(value: string): string {
  if (value.includes('\0'))
    throw new InvalidArgumentError(`a path without a NUL character, got ${JSON.stringify(value)}`);
  return value;
}

export { InvalidArgumentError };
