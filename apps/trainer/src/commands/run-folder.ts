import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, ConfigError, formatExpected } from '@vaejs/core';
import { camel, explicitKeys, type ParsedFlags } from '../args';
import { type CheckpointInfo, findLatestCheckpoint, readCheckpoint } from '../io/checkpoint';
import { writeFileDurable } from '../io/file-io';

/** config.json of a run: the command's resolved flags plus the model's resolved config. */
export interface RunConfig {
  command: string;
  flags: Record<string, unknown>;
  model: Record<string, unknown>;
  createdAt: string;
}

export function readRunConfig(fn: string, runDir: string): RunConfig {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) {
    throw new CheckpointError(formatExpected(fn, '--run', 'a run folder with config.json', `'${runDir}'`));
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
  } catch (error) {
    throw new CheckpointError(formatExpected(fn, path, 'readable JSON', (error as Error).message));
  }
}

export function writeRunConfig(runDir: string, config: RunConfig): void {
  mkdirSync(runDir, { recursive: true });
  writeFileDurable(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** A new run needs an empty (or absent) folder; --resume needs one with a checkpoint. */
export function prepareRunFolder(
  fn: string,
  runDir: string | undefined,
  resume: boolean,
): { runDir: string; resume: { dir: string; info: CheckpointInfo } | undefined } {
  if (!runDir) throw new ConfigError(formatExpected(fn, '--out', 'a run folder', 'nothing'));
  if (resume) {
    const latest = findLatestCheckpoint(runDir);
    if (!latest) {
      throw new CheckpointError(
        formatExpected(fn, '--resume', `a checkpoint in ${join(runDir, 'checkpoints')}`, 'none'),
      );
    }
    return { runDir, resume: latest };
  }
  if (existsSync(runDir) && readdirSync(runDir).length > 0) {
    throw new ConfigError(
      formatExpected(
        fn,
        '--out',
        'a new or empty folder (or --resume to continue it)',
        `'${runDir}', which holds files`,
      ),
    );
  }
  return { runDir, resume: undefined };
}

/** The newest checkpoint of a run, checked to be of `kind`. */
export function latestCheckpointOf(fn: string, runDir: string, kind: string): { dir: string; info: CheckpointInfo } {
  const latest = findLatestCheckpoint(runDir);
  if (!latest) {
    throw new CheckpointError(
      formatExpected(fn, '--run', `a run with a checkpoint (${join(runDir, 'checkpoints')})`, 'none'),
    );
  }
  readCheckpoint(latest.dir, kind, fn);
  return latest;
}

/**
 * Flags that may change when a run is resumed; the rest come from the run's config.json. The data's location may
 * change (a moved folder); the model is checked against the data when the run loads.
 */
const RESUMABLE = ['epochs', 'lr', 'backend', 'fast', 'threads', 'out', 'resume', 'dataset', 'codes'].map(camel);

/** The flags a resumed run uses: its config.json's, except those given now that may change on resume. */
export function resumedFlags(fn: string, runDir: string, parsed: ParsedFlags): ParsedFlags {
  const saved = readRunConfig(fn, runDir).flags as ParsedFlags;
  const given = explicitKeys(parsed);
  const overrides = RESUMABLE.filter((key) => given.has(key) || saved[key] === undefined);
  return { ...saved, ...Object.fromEntries(overrides.map((key) => [key, parsed[key]])) };
}
