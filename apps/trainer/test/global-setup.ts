// Once before the trainer's tests: the CLI and the packages it bundles built (turbo: a cache hit when nothing changed),
// for the tests that run the built `vaejs` and the built @vaejs/training in child processes (faults, lock races).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export function setup(): void {
  const root = resolve(import.meta.dirname, '..', '..', '..');
  execFileSync(
    'npx',
    ['-y', 'pnpm@10.34.8', 'exec', 'turbo', 'run', 'build', '--filter=@vaejs/trainer...', '--output-logs=errors-only'],
    { cwd: root, stdio: 'ignore' },
  );
}
