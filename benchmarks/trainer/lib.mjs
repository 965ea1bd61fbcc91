// Shared by the trainer's benchmarks: run the built `vaejs` CLI, read a run's metrics, print a named figure.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFormat } from '@vaejs/training';
import { torchEnv } from '../torch-anchor.mjs';

/** The built CLI of the workspace's @vaejs/trainer (its bin `vaejs`): `pnpm build` makes it. */
export const cli = join(
  dirname(createRequire(import.meta.url).resolve('@vaejs/trainer/package.json')),
  'dist',
  'cli.js',
);
if (!existsSync(cli)) throw new Error(`trainer benchmarks: expected the built CLI ${cli}, got none (run pnpm build).`);

/** `--name=value` flags as an object. */
export const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));

/**
 * Runs `vaejs …` (the built CLI) in a child process; its progress goes to our stderr. A bench's own `--threads=N`
 * is passed on to every command that does not set its own (so two benches can share the cores without contention).
 */
export function vaejs(given, { echo = true, printStdout = false } = {}) {
  const argv = args.threads && !given.includes('--threads') ? [...given, '--threads', String(args.threads)] : given;
  if (echo) console.log(`$ vaejs ${argv.join(' ')}`);
  const started = performance.now();
  const stdout = execFileSync(process.execPath, [cli, ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (printStdout) process.stdout.write(stdout);
  return { stdout, seconds: (performance.now() - started) / 1000 };
}

export { findTorch } from '../torch-anchor.mjs';

/** Runs a script of reference/ with `python` and returns the JSON lines it prints. */
export function runReference(python, script, argv, threads = Number(args.threads ?? 1)) {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'reference', script);
  // PyTorch at its users' speed: OpenBLAS on the threads asked for, glibc's allocator keeping big buffers
  const env = torchEnv(threads, { allocator: true });
  delete env.OPENBLAS_VERBOSE;
  return execFileSync(python, [path, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** The lines of a run's metrics.jsonl. */
export const metrics = (run) => jsonLines(join(run, runFormat.METRICS_FILE));

/** The objects of a JSON-lines file. */
export const jsonLines = (path) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

/** Prints one named figure, with an optional note (a baseline to compare with, the backend…). */
export function figure(name, value, note = '') {
  const shown = typeof value === 'number' ? (Math.abs(value) < 0.1 ? value.toFixed(4) : value.toFixed(2)) : value;
  console.log(`${name.padEnd(68)} ${shown}${note ? `  (${note})` : ''}`);
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
