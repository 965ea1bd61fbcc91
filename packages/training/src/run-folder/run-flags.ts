/**
 * The flags an app kept in a run's config (`app.flags`: the `vaejs` CLI's, or those the demo writes as the CLI would),
 * read back by whoever continues, scores or samples the run.
 */
import { RUN_CONFIG_FILE } from '../run-format';
import { parseRunConfig } from './run-config';
import type { RunSource } from './run-source';

/**
 * The flags a run was trained with (its config's `app.flags`), or {} when unknown: no run, no config, a config
 * that does not read, or one without them.
 * @example (await readRunFlags(fileRunSource('runs/vae'))).dataset // 'mnist'
 */
export async function readRunFlags(run: RunSource | null): Promise<Record<string, unknown>> {
  const config = run
    ? await run
        .readJson(RUN_CONFIG_FILE)
        .then(parseRunConfig)
        .catch(() => null)
    : null;
  const flags = config?.app?.flags;
  return typeof flags === 'object' && flags !== null ? (flags as Record<string, unknown>) : {};
}
