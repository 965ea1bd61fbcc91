/**
 * The flags a run was trained with, as the CLI keeps them in the run's config (`app.flags`): read back for --resume
 * (checked again with the command line's rules), and for the folders they name (the data, the code maps).
 */
import { join, resolve } from 'node:path';
import { readCodesManifest } from '@vaejs/datasets';
import { fileRunSource, runFormat } from '@vaejs/training';
import { runReader } from './models';
import { type AnyCommand, applyValues, isGiven, kebab } from './options';
import { UsageError } from './parse';

/** Flags that every resumed training run may change; the rest come from the run. */
const RESUMABLE = ['epochs', 'lr', 'backend', 'fast', 'native', 'threads', 'out', 'resume', 'tensorboard'];

/** The flags that may change when a run is resumed (its data folder may move), in the order messages list them. */
export function resumable(dataFlag: 'dataset' | 'codes', ...others: string[]): string[] {
  return [...RESUMABLE, dataFlag, 'checkpointEvery', ...others, 'config'];
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
  mayChange: readonly string[],
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
  const saved = config.app?.flags as Record<string, unknown> | undefined;
  if (config.app?.command !== savedCommand || typeof saved !== 'object' || saved === null) {
    throw new UsageError(
      `${fn}: expected --out a run written by vaejs ${savedCommand}, got '${runDir}' (${path} has no such flags).`,
    );
  }
  // A flag given again with its saved value is fine (re-running the same command, or the same --config recipe, with
  // --resume); a different value of a flag that is not resumable is refused rather than silently ignored.
  const value = (key: string) => JSON.stringify(command.getOptionValue(key));
  const changed = Object.keys(saved).find(
    (key) => !mayChange.includes(key) && isGiven(command, key) && value(key) !== JSON.stringify(saved[key]),
  );
  if (changed !== undefined) {
    const flags = mayChange.filter((key) => !['resume', 'out', 'config'].includes(key)).map((key) => `--${kebab(key)}`);
    throw new UsageError(
      `${fn}: expected --${kebab(changed)} ${shown(saved[changed])} as in ${path} (only ${flags.join(', ')} may change with --resume), got --${kebab(changed)} ${shown(command.getOptionValue(changed))}.`,
    );
  }
  applyValues(command, saved, path, { source: 'implied' });
}

/** The VQ-VAE run that encoded the code maps in `codes` (`vaejs encode` names it in their manifest), or undefined. */
export function vqvaeOfCodes(codes: string): string | undefined {
  const run = (readCodesManifest(codes).source as { vqvaeRun?: unknown } | undefined)?.vqvaeRun;
  return typeof run === 'string' ? resolve(run) : undefined;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
