/** What the CLI keeps in a run's config (`app.flags`): the flags a run was trained with, and the folders they name. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RunSource, runFormat } from '@vaejs/training';
import { runReader } from './models';
import { UsageError } from './parse';

/** The CLI flags a run was trained with, or {} when unknown (no run, or a config without them). */
export async function runFlags(run: RunSource | null): Promise<Record<string, unknown>> {
  if (!run) return {};
  try {
    const flags = (await runReader.readConfig(run))?.app?.flags;
    return typeof flags === 'object' && flags !== null ? (flags as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A folder the run's flags name: its code maps (`codes`) or its image folder (`dataset`, when not mnist or
 * fashion-mnist), as a path, or the dataset's name; undefined when the run does not say. A folder that is not there
 * (moved, or saved relative to another working folder) is one line naming the run's config and the flag to give.
 */
export async function savedFolder(
  fn: string,
  run: RunSource | null,
  key: 'codes' | 'dataset',
  flag: string,
): Promise<string | undefined> {
  const value = (await runFlags(run))[key];
  if (typeof value !== 'string') return undefined;
  if (key === 'dataset' && (value === 'mnist' || value === 'fashion-mnist')) return value;
  if (existsSync(value)) return value;
  const what = key === 'codes' ? 'code maps' : 'images';
  const config = join((run as RunSource).location, runFormat.RUN_CONFIG_FILE);
  throw new UsageError(
    `${fn}: expected the ${what} the run was trained on at '${value}' (named by ${config}), got no such folder: give ${flag} <folder>.`,
  );
}
