/**
 * A guard against sizes that pass their flag's own range and then exhaust memory (`--hidden 1000000` grew to 6 GB
 * before it was stopped): before a model is built, its package's estimate of one training step (`estimateVaeSize`,
 * `estimateVqVaeSize`, `estimatePixelCnnSize`: the parameters four times over, the batch's activations) is checked
 * against `--max-memory`. The estimate is a floor, not a bound: it refuses what cannot fit, not what barely might.
 */
import { largestSize, type ModelSize } from '@vaejs/core';
import { type AnyCommand, isGiven, kebab } from './options';
import { UsageError } from './parse';

/**
 * The size flags among `keys` that the user gave, each with the value it takes when not given (its default on the
 * command line, or undefined: the model package's default).
 */
export function givenSizes(command: AnyCommand, keys: readonly string[]): Record<string, number | undefined> {
  const given = keys.filter((key) => isGiven(command, key));
  const defaultOf = (key: string) => command.options.find((option) => option.attributeName() === key)?.defaultValue;
  return Object.fromEntries(given.map((key) => [key, defaultOf(key) as number | undefined]));
}

/**
 * Refuses flags whose model and training step `estimate` puts above `maxMemoryMb`, naming the flag that made it too
 * big: of the sizes given (`given`, each with its default), the one whose default shrinks the estimate most.
 */
export function checkSize<F extends object>(
  fn: string,
  maxMemoryMb: number,
  flags: F,
  given: Record<string, number | undefined>,
  estimate: (flags: F) => ModelSize,
): ModelSize {
  const size = estimate(flags);
  if (size.stepBytes <= maxMemoryMb * 2 ** 20) return size;
  const culprit = largestSize(flags, given, estimate);
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');
  const cause = culprit
    ? `, mostly from --${kebab(culprit)} ${(flags as Record<string, unknown>)[culprit]}: lower it, or raise --max-memory`
    : ': choose smaller sizes, or raise --max-memory';
  throw new UsageError(
    `${fn}: expected a model and training step within --max-memory ${maxMemoryMb} MB, got about ${mb(size.stepBytes)} MB (${size.parameters.toLocaleString('en')} parameters)${cause}.`,
  );
}
