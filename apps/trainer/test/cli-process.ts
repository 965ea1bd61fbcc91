// The built `vaejs` in child processes, for the fault-injection suites (faults.test.ts, faults-run-folder.test.ts):
// start it (also under strace, or as another user), wait for its exit with what it printed, and count what held.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { findLatestCheckpoint, loadNamedTensors } from '@vaejs/training';
import { loadVae } from '@vaejs/vae';

const root = resolve(import.meta.dirname, '..', '..', '..');
/** The built CLI (test/global-setup.ts builds it once for the project). */
export const cli = join(root, 'apps', 'trainer', 'dist', 'cli.js');

export const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** Counts per case: how many attempts, how many held; `table()` prints them after a suite. */
export function createTally() {
  const tally = new Map<string, { attempts: number; held: number }>();
  return {
    count(name: string, held: boolean): void {
      const entry = tally.get(name) ?? { attempts: 0, held: 0 };
      entry.attempts++;
      if (held) entry.held++;
      tally.set(name, entry);
    },
    get: (name: string) => tally.get(name),
    table: () =>
      [...tally.entries()]
        .map(([name, { attempts, held }]) => `${`${held}/${attempts}`.padStart(7)}  ${name}`)
        .join('\n'),
  };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** stderr lines that are not progress (the backend, data and epoch lines). */
  problems: string[];
}

/** Starts `vaejs <args>` (after `prefix`, e.g. strace and its flags), as another user when `uid` is given. */
export function start(args: string[], options: { uid?: number; gid?: number; prefix?: string[] } = {}): ChildProcess {
  const { prefix = [], ...ids } = options;
  const [command, ...rest] = [...prefix, process.execPath, cli, ...args] as [string, ...string[]];
  return spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
}

/** Waits for a child's exit; one that runs past `limit` ms (a hang) is killed, and its case fails. */
export function finished(child: ChildProcess, limit = 120_000): Promise<Finished> {
  const timer = setTimeout(() => child.kill('SIGKILL'), limit);
  child.on('exit', () => clearTimeout(timer));
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  return new Promise((done) =>
    child.on('close', (code, signal) => {
      const problems = stderr
        .split('\n')
        .filter(
          (line) =>
            line &&
            !/^(backend:|data:|epoch \d|run folder:|SIGINT: finishing|SIGTERM: finishing|train: |test: |codes: |wrote )/.test(
              line,
            ),
        );
      done({ code, signal, stderr, stdout, problems });
    }),
  );
}

export const run = (args: string[], options: Parameters<typeof start>[1] = {}) => finished(start(args, options));

/** A tiny MLP VAE on the cpu backend: a run of 256 images trains an epoch in about a second. */
export const tiny = [
  '--model',
  'vae',
  '--arch',
  'mlp',
  '--hidden',
  '16',
  '--latent-dim',
  '2',
  '--batch-size',
  '16',
  '--backend',
  'cpu',
];

/** True when the newest checkpoint of `dir` loads: model parts, optimizer state and info. */
export async function loadsCleanly(dir: string): Promise<boolean> {
  try {
    const latest = findLatestCheckpoint(dir);
    if (!latest) return false;
    const vae = await loadVae(latest.manifest, latest.io);
    vae.dispose();
    const slots = loadNamedTensors(latest.location, 'optimizer');
    tf.dispose(slots.map((slot) => slot.tensor));
    return slots.length > 1;
  } catch {
    return false;
  }
}

/** What is at `path`: a folder's sorted entries, a file's bytes, or null for nothing. */
export function listing(path: string): string | null {
  if (!existsSync(path)) return null;
  return statSync(path).isDirectory() ? readdirSync(path).sort().join() : readFileSync(path, 'utf8');
}

/** The epochs of a run's metrics.jsonl, in order. */
export function epochsOf(dir: string): number[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).epoch as number);
}

export const weightsOf = (dir: string) =>
  ['encoder', 'decoder'].map((part) => readFileSync(join(findLatestCheckpoint(dir)!.location, part, 'weights.bin')));
