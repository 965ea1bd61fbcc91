// The run lock under contention, across processes (the built @vaejs/training): two processes that take, hold and
// drop one run's lock thousands of times, taking over the stale locks each leaves, never hold it both at once, and get
// nothing but the lock or the one-line refusal; the same with the takeover's system calls held back by strace, which
// made the race certain before takeovers checked what they replace (issue 21, items 2 and 9).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireStrace, temporaryDir } from './fixtures';

const root = resolve(import.meta.dirname, '..', '..', '..');
const entry = join(root, 'packages', 'training', 'dist', 'index.node.js');
const contender = join(import.meta.dirname, 'lock-contender.mjs');

interface Counts {
  held: number;
  refused: number;
  doubles: number;
  errors: number;
  messages: string[];
}

/** Runs one contender (under `prefix`, e.g. strace) to its end and returns its counts. */
function contend(dir: string, rounds: number, holdMs: number, mode: 'release' | 'die', prefix: string[] = []) {
  const args = [process.execPath, contender, entry, dir, String(rounds), String(holdMs), mode];
  const [command, ...rest] = [...prefix, ...args] as [string, ...string[]];
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise<Counts>((done, fail) =>
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) done(JSON.parse(line) as Counts);
      else fail(new Error(`contender exited ${code}: ${stderr}${stdout}`));
    }),
  );
}

function runDir(name: string): string {
  const dir = join(temporaryDir(), name);
  mkdirSync(dir);
  return dir;
}

describe('the run lock across processes', () => {
  it('two processes taking over the stale locks each leaves never hold the lock both at once', async () => {
    const dir = runDir('stale-race');
    const results = await Promise.all([contend(dir, 1000, 0, 'die'), contend(dir, 1000, 0, 'die')]);
    const total = { held: 0, doubles: 0, errors: 0 };
    for (const result of results) {
      total.held += result.held;
      total.doubles += result.doubles;
      total.errors += result.errors;
    }
    expect(total, JSON.stringify(results)).toMatchObject({ doubles: 0, errors: 0 });
    // every round ends with a stale lock: most rounds of both take one over
    expect(total.held).toBeGreaterThan(200);
  }, 120_000);

  it('a holder releasing at any moment gives a contender the lock or the refusal, never a raw error', async () => {
    const dir = runDir('release-race');
    const results = await Promise.all([contend(dir, 2000, 0, 'release'), contend(dir, 2000, 0, 'release')]);
    for (const result of results) expect(result, JSON.stringify(results)).toMatchObject({ doubles: 0, errors: 0 });
    expect(results[0]!.held + results[1]!.held).toBeGreaterThan(2000);
  }, 120_000);

  it('with the takeover held back at its unlink or rename (strace), still one holder at a time', async () => {
    const strace = requireStrace();
    const dir = runDir('delayed-race');
    // one contender's unlinks, links and renames of .lock enter the kernel 0.3 s late; each holder keeps the lock
    // longer than that
    const calls = 'unlink,unlinkat,rename,renameat,renameat2,link,linkat';
    const delayed = [strace, '-f', '-o', '/dev/null', '-P', join(dir, '.lock'), '-e', `trace=${calls}`];
    delayed.push('-e', `inject=${calls}:delay_enter=300000`);
    const results = await Promise.all([contend(dir, 12, 400, 'die', delayed), contend(dir, 12, 400, 'die')]);
    for (const result of results) expect(result, JSON.stringify(results)).toMatchObject({ doubles: 0, errors: 0 });
    expect(results[0]!.held + results[1]!.held).toBeGreaterThan(6);
  }, 120_000);
});
