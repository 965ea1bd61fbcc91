/** What `--resume` and model-specific flags may and may not do. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { applyValues, isGiven } from './options';
import { UsageError } from './parse';

// biome-ignore lint/suspicious/noExplicitAny: commander's own generic bound
type AnyCommand = Command<any, any, any>;

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Refuses a model-specific flag given with another model (`--codebook-size` with `--model vae`). */
export function checkModelFlags(
  fn: string,
  command: AnyCommand,
  model: string,
  table: Record<string, readonly string[]>,
): void {
  for (const [key, models] of Object.entries(table)) {
    if (isGiven(command, key) && !models.includes(model)) {
      throw new UsageError(
        `${fn}: expected --${kebab(key)} only with --model ${models.join(' | ')}, got it with --model ${model}.`,
      );
    }
  }
}

/**
 * For `--resume`: the flags come from the run's config.json (checked again with the command line's rules), except
 * `resumable` ones, which may be given anew; any other flag given is refused rather than silently ignored.
 */
export function resumeFlags(
  fn: string,
  command: AnyCommand,
  runDir: string,
  savedCommand: string,
  resumable: readonly string[],
): void {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) {
    throw new UsageError(`${fn}: expected --out a run folder with config.json to resume, got '${runDir}' without one.`);
  }
  let config: { app?: { command?: unknown; flags?: unknown } };
  try {
    config = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${fn}: expected ${path} readable JSON, got ${(error as Error).message}.`);
  }
  const flags = config.app?.flags;
  if (config.app?.command !== savedCommand || typeof flags !== 'object' || flags === null) {
    throw new UsageError(
      `${fn}: expected --out a run written by vaejs ${savedCommand}, got '${runDir}' (${path} has no such flags).`,
    );
  }
  // A flag given again with its saved value is fine (re-running the same command, or the same --config recipe, with
  // --resume); a different value of a flag that is not resumable is refused rather than silently ignored.
  const saved = flags as Record<string, unknown>;
  const changed = Object.keys(saved).find(
    (key) =>
      !resumable.includes(key) &&
      isGiven(command, key) &&
      JSON.stringify(command.getOptionValue(key)) !== JSON.stringify(saved[key]),
  );
  if (changed !== undefined) {
    const mayChange = resumable
      .filter((key) => key !== 'resume' && key !== 'out' && key !== 'config')
      .map((key) => `--${kebab(key)}`)
      .join(', ');
    throw new UsageError(
      `${fn}: expected --${kebab(changed)} ${flagValue(saved[changed])} as in ${path} (only ${mayChange} may change with --resume), got --${kebab(changed)} ${flagValue(command.getOptionValue(changed))}.`,
    );
  }
  applyValues(command, flags as Record<string, unknown>, path, { source: 'implied' });
}

function flagValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
