/**
 * The data a run was trained on, found again from the flags it kept (`readRunFlags`): its image folder or code maps
 * (folders saved absolute, which may since have moved), and its images loaded as it loaded them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@vaejs/core';
import { loadSplits } from '@vaejs/datasets';
import { readRunFlags } from '../run-folder/run-flags';
import type { RunSource } from '../run-folder/run-source';
import { RUN_CONFIG_FILE } from '../run-format';

/** Who asks, for messages: the function, and the argument that gives the folder instead (`'--dataset'`). */
export interface RunDataOptions {
  fn?: string;
  argument?: string;
}

/**
 * The folder of a run's code maps (`codes`) or images (`dataset`, a path unless `mnist` or `fashion-mnist`, which
 * come back as they are), as its flags name it; undefined when they do not.
 * @throws ConfigError naming the run's config and `options.argument` when the folder is not there
 * @example await runDataFolder(fileRunSource('runs/prior'), 'codes') // '/home/me/runs/codes'
 */
export async function runDataFolder(
  run: RunSource | null,
  key: 'codes' | 'dataset',
  options: RunDataOptions = {},
): Promise<string | undefined> {
  const value = (await readRunFlags(run))[key];
  if (typeof value !== 'string') return undefined;
  if ((key === 'dataset' && (value === 'mnist' || value === 'fashion-mnist')) || existsSync(value)) return value;
  const what = key === 'codes' ? 'code maps' : 'images';
  const config = join((run as RunSource).location, RUN_CONFIG_FILE);
  throw new ConfigError(
    `${options.fn ?? 'runDataFolder'}: expected the ${what} the run was trained on at '${value}' (named by ${config}), got no such folder: give ${options.argument ?? 'dataset'} <folder>.`,
  );
}

/**
 * The images a run was trained on (or those `options.dataset` names instead), loaded with the run's image size and,
 * when given, only the first `limit` training and `testLimit` test images; files declaring more than `maxBytes`
 * are refused from their headers.
 * @throws ConfigError as {@link runDataFolder}, or as `loadSplits` (its argument `options.argument`)
 * @example const { test } = await loadRunImages(fileRunSource('runs/vae'), { testLimit: 1000 });
 */
export async function loadRunImages(
  run: RunSource | null,
  options: RunDataOptions & { dataset?: string | undefined; limit?: number; testLimit?: number; maxBytes?: number },
): Promise<ReturnType<typeof loadSplits>> {
  const { fn, argument, limit, testLimit, maxBytes } = options;
  const dataset = options.dataset ?? (await runDataFolder(run, 'dataset', { fn, argument })) ?? 'mnist';
  const { imageSize } = (await readRunFlags(run)) as { imageSize?: number };
  return loadSplits({
    dataset,
    limit,
    testLimit,
    ...(imageSize ? { imageSize } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
    ...(fn !== undefined ? { fn } : {}),
    ...(argument !== undefined ? { argument } : {}),
  });
}
