/** What `--resume` and model-specific flags may and may not do. */
import { join } from 'node:path';
import { fileRunSource, runFormat } from '@vaejs/training';
import { runReader } from './models';
import { type AnyCommand, applyValues, isGiven, kebab } from './options';
import { UsageError } from './parse';

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
 * For `--resume`: the flags come from the run's config (checked again with the command line's rules), except
 * `resumable` ones, which may be given anew; any other flag given is refused rather than silently ignored.
 */
export async function resumeFlags(
  fn: string,
  command: AnyCommand,
  runDir: string,
  savedCommand: string,
  resumable: readonly string[],
): Promise<void> {
  const path = join(runDir, runFormat.RUN_CONFIG_FILE);
  const config = await runReader.readConfig(fileRunSource(runDir)).catch((error: Error) => {
    throw new UsageError(`${fn}: ${error.message.replace(/^checkpoint: /, '')}`);
  });
  if (config === null) {
    throw new UsageError(
      `${fn}: expected --out a run folder with ${runFormat.RUN_CONFIG_FILE} to resume, got '${runDir}' without one.`,
    );
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
