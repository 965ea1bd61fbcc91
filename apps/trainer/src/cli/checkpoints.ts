/** Finding what a command was pointed at: a run folder or a checkpoint folder, and the run's flags. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findLatestCheckpoint, readCheckpointFolder, runFormat, type StoredCheckpoint } from '@vaejs/training';
import { UsageError } from './parse';

/**
 * The checkpoint a path names: a run folder (its newest checkpoint) or one checkpoint folder (with checkpoint.json),
 * as the demo accepts either.
 */
export function locateCheckpoint(fn: string, flag: string, path: string): StoredCheckpoint {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new UsageError(
      `${fn}: expected ${flag} a run folder or a checkpoint folder, got '${path}' (no such folder).`,
    );
  }
  if (existsSync(join(path, runFormat.CHECKPOINT_INFO_FILE))) return readCheckpointFolder(path);
  const latest = findLatestCheckpoint(path);
  if (!latest) {
    throw new UsageError(
      `${fn}: expected ${flag} a run folder with a checkpoint or a checkpoint folder, got '${path}' with neither.`,
    );
  }
  return latest;
}

/** The run folder a checkpoint belongs to (`<run>/checkpoints/epoch-0003` → `<run>`), or null for a loose one. */
export function runOf(checkpoint: StoredCheckpoint): string | null {
  const parent = dirname(checkpoint.location);
  if (!parent.endsWith(runFormat.CHECKPOINTS_DIR)) return null;
  const run = dirname(parent);
  return existsSync(join(run, runFormat.RUN_CONFIG_FILE)) ? run : null;
}

/** The CLI flags a run was trained with (config.json `app.flags`), or {} when unknown. */
export function runFlags(run: string | null): Record<string, unknown> {
  if (!run) return {};
  try {
    const config = JSON.parse(readFileSync(join(run, runFormat.RUN_CONFIG_FILE), 'utf8')) as {
      app?: { flags?: Record<string, unknown> };
      flags?: Record<string, unknown>;
    };
    return config.app?.flags ?? config.flags ?? {};
  } catch {
    return {};
  }
}

/**
 * A folder the run's config.json names: its code maps (`codes`) or its image folder (`dataset`, when not mnist or
 * fashion-mnist), as a path, or the dataset's name; undefined when the run does not say. A folder that is not there
 * (moved, or saved relative to another working folder) is one line naming the file and the flag to give instead.
 */
export function savedFolder(
  fn: string,
  run: string | null,
  key: 'codes' | 'dataset',
  flag: string,
): string | undefined {
  const value = runFlags(run)[key];
  if (typeof value !== 'string') return undefined;
  if (key === 'dataset' && (value === 'mnist' || value === 'fashion-mnist')) return value;
  if (existsSync(value)) return value;
  throw new UsageError(
    `${fn}: expected the ${key === 'codes' ? 'code maps' : 'images'} the run was trained on at '${value}' (named by ${join(run as string, runFormat.RUN_CONFIG_FILE)}), got no such folder: give ${flag} <folder>.`,
  );
}
