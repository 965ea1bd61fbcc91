/**
 * One writer per run folder: `.lock` (`LOCK_FILE`) is created with O_EXCL and holds the writer's pid and host. A lock
 * whose process no longer runs on this host, or that stays unreadable, is taken over; a live one refuses the run.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, formatExpected } from '@vaejs/core';
import { LOCK_FILE } from '../run-format';

const FN = 'fit';
/** An unreadable lock file older than this is left from a writer that died while writing it. */
const UNREADABLE_LOCK_MS = 10_000;

/** What `.lock` holds. */
export interface RunLock {
  pid: number;
  host: string;
  startedAt: string;
}

/** True when process `pid` runs on this host (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run's lock: `.lock` created with O_EXCL holding pid and host. A lock of a process that no longer runs
 * (on this host) is taken over, with a line on `warn`; a live one is a ConfigError naming the pid. Returns the function
 * that releases it (idempotent; it removes only a lock that is still this process's).
 */
export function acquireRunLock(dir: string, warn: (line: string) => void = () => {}): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: RunLock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createLockFile(path, mine)) return releaser(path, mine);
    const held = readLock(path);
    const stale = held !== null && held.host === mine.host && !processAlive(held.pid);
    const unreadable = held === null && Date.now() - statSync(path).mtimeMs > UNREADABLE_LOCK_MS;
    if (!stale && !unreadable) {
      const who = held ? `process ${held.pid} on ${held.host} (since ${held.startedAt})` : 'another process';
      throw new ConfigError(
        formatExpected(
          FN,
          'options.runDir',
          `a run no other process writes`,
          `'${dir}', which ${who} is writing (${path})`,
        ),
      );
    }
    warn(
      `${FN}: taking over the lock of ${held ? `process ${held.pid}, which no longer runs` : 'an unreadable lock file'} (${path})`,
    );
    rmSync(path, { force: true });
  }
  throw new ConfigError(formatExpected(FN, 'options.runDir', 'a lock on the run', `'${dir}' (could not take ${path})`));
}

// helpers

/** Creates the lock file holding `lock`; false when one exists. */
function createLockFile(path: string, lock: RunLock): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
  try {
    writeSync(fd, JSON.stringify(lock));
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaser(path: string, mine: RunLock): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const held = readLock(path);
    if (held?.pid === mine.pid && held.host === mine.host) rmSync(path, { force: true });
  };
}

function readLock(path: string): RunLock | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunLock;
  } catch {
    return null;
  }
}
