/**
 * One writer per run folder: `.lock` (`LOCK_FILE`) holds the writer's pid and host. It appears whole or not at all:
 * written to a temporary file, then linked to its name, which fails when a lock is there (a full disk leaves no empty
 * lock). A lock whose process no longer runs on this host is taken over; a live one, or one of another host, refuses
 * the run, naming the file to remove when that is safe.
 *
 * Taking over is where two processes race: both see the same stale lock. Each first creates a marker named after that
 * lock (its inode and content) — only one can — then checks that `.lock` is still that stale lock, and renames its own
 * over it: `.lock` never goes missing, and a lock taken over by one is never removed by the other. A marker left by a
 * process that died while taking over is passed over (the next marker number is tried), never removed by a contender.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError, formatExpected } from '@vaejs/core';
import { LOCK_FILE } from '../run-format';

/** A lock file that is no vaejs lock (another program's, or garbage) and older than this is taken over. */
const FOREIGN_LOCK_MS = 10_000;
/** A takeover marker older than this is passed over even when its pid runs (the pid was reused). */
const MARKER_MS = 60_000;
/** How often to try, and how long to wait between tries while another process takes a stale lock over. */
const ATTEMPTS = 200;
const WAIT_MS = 25;

/** What `.lock` holds. */
export interface RunLock {
  pid: number;
  host: string;
  startedAt: string;
}

/** Who asks for a lock, for messages: `fit: expected options.runDir …, got '<target>' …`. */
export interface LockOptions {
  /** The first word of messages. Default `'fit'`. */
  fn?: string;
  /** What names the folder. Default `'options.runDir'`. */
  argument?: string;
  /** What is expected of it, in messages. Default `'a run no other process writes'`. */
  expected?: string;
  /** What the lock guards, as the user named it. Default: the lock file's folder. */
  target?: string;
  /** Called with one line when a stale lock is taken over. */
  warn?: (line: string) => void;
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
 * Takes the run's lock, `<dir>/.lock` (see {@link acquireLockFile}). Returns the function that releases it.
 * @throws ConfigError naming the holder (a live process, or one on another host) and how to clear a lock left behind
 */
export function acquireRunLock(dir: string, warn: (line: string) => void = () => {}): () => void {
  return acquireLockFile(join(dir, LOCK_FILE), { target: dir, warn });
}

/**
 * Takes the lock file `path`: created whole holding this pid and host. A lock of a process that no longer runs (on
 * this host), or a file that holds no vaejs lock and is older than 10 s, is taken over, with a line on `warn`; a live
 * one, one of another host, or a young foreign file is a ConfigError naming it. Returns the function that releases it
 * (idempotent; it removes only a lock that is still this process's).
 */
export function acquireLockFile(path: string, options: LockOptions = {}): () => void {
  const mine: RunLock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const content = JSON.stringify(mine);
  let warned = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createExclusive(path, content)) return releaser(path, mine);
    const held = readHeld(path);
    if (held === null) continue; // released in between: try again
    const refusal = judge(path, held, mine.host, options);
    if (refusal !== null) throw refusal;
    if (!warned) {
      warned = true;
      options.warn?.(`${options.fn ?? 'fit'}: taking over ${describeHeld(held)} (${path})`);
    }
    const outcome = takeOver(path, held, content);
    if (outcome === 'taken') return releaser(path, mine);
    if (outcome === 'busy') sleep(WAIT_MS); // another process takes it over: see who won
  }
  throw lockError(
    options,
    options.expected ?? 'a run no other process writes',
    `'${options.target ?? dirname(path)}', whose lock ${path} other processes kept taking`,
  );
}

/** Removes takeover markers and temporary lock files that processes which no longer run left beside `path`. */
export function removeStaleLockFiles(path: string): void {
  const folder = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const temporary = /^(\d+)\.[\da-f]+\.tmp$/.exec(rest);
    const marker = /^takeover-/.test(rest) ? markerOwner(join(folder, name)) : null;
    const owner = temporary ? Number(temporary[1]) : marker;
    if (owner !== null && owner !== process.pid && !processAlive(owner)) rmSync(join(folder, name), { force: true });
  }
}

// helpers

/** A lock file as read: a vaejs lock, or anything else (`lock` null); its raw content and identity. */
interface Held {
  lock: RunLock | null;
  raw: string;
  inode: number;
  ageMs: number;
}

/** Creates `path` holding `content`, whole (a temporary file linked to the name); false when it exists. */
function createExclusive(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${Math.floor(Math.random() * 2 ** 32).toString(16)}.tmp`;
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
  } catch (error) {
    rmSync(temporary, { force: true });
    throw named(error, path);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createWithoutLink(path, content);
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** On a file system without hard links: O_EXCL, then the content (a reader may see it empty for a moment). */
function createWithoutLink(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } catch (error) {
    rmSync(path, { force: true });
    throw named(error, path);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock file at `path`, or null when there is none (any more). */
function readHeld(path: string): Held | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    const raw = readFileSync(fd, 'utf8');
    return { lock: parseLock(raw), raw, inode: stats.ino, ageMs: Date.now() - stats.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function parseLock(raw: string): RunLock | null {
  try {
    const value = JSON.parse(raw) as Partial<RunLock> | null;
    const valid =
      typeof value === 'object' &&
      value !== null &&
      Number.isSafeInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.host === 'string' &&
      value.host !== '' &&
      typeof value.startedAt === 'string';
    return valid ? (value as RunLock) : null;
  } catch {
    return null;
  }
}

/** Null when `held` may be taken over; else the refusal, naming the holder and when removing the file is safe. */
function judge(path: string, held: Held, host: string, options: LockOptions): ConfigError | null {
  const { lock } = held;
  const target = `'${options.target ?? dirname(path)}'`;
  const expected = options.expected ?? 'a run no other process writes';
  if (lock === null) {
    if (held.ageMs > FOREIGN_LOCK_MS) return null;
    const what = `${shown(held.raw)}, written ${seconds(held.ageMs)} ago`;
    return lockError(
      options,
      expected,
      `${target}, whose lock file ${path} holds no vaejs lock (${what}); if no process writes it, remove ${path}`,
    );
  }
  const who = `process ${lock.pid} on ${lock.host} (since ${lock.startedAt})`;
  if (lock.host !== host) {
    return lockError(
      options,
      expected,
      `${target}, which ${who} is writing (${path}); once that process no longer runs on ${lock.host}, remove ${path}`,
    );
  }
  if (!processAlive(lock.pid)) return null;
  return lockError(options, expected, `${target}, which ${who} is writing (${path})`);
}

/**
 * Replaces the stale lock `held` by `content`, if it is still there: 'taken', 'busy' (another process is taking it
 * over), or 'changed' (`.lock` is no longer `held`).
 */
function takeOver(path: string, held: Held, content: string): 'taken' | 'busy' | 'changed' {
  const id = `${held.inode}-${createHash('sha1').update(held.raw).digest('hex').slice(0, 12)}`;
  const markers: string[] = [];
  let mine: string | null = null;
  for (let number = 0; mine === null; number++) {
    const marker = `${path}.takeover-${id}-${number}`;
    if (createExclusive(marker, String(process.pid))) {
      mine = marker;
      break;
    }
    const owner = markerOwner(marker);
    if (owner === null) return 'busy'; // removed in between: the taker is done
    const old = ageOf(marker) > MARKER_MS;
    if (processAlive(owner) && !old) return 'busy';
    markers.push(marker); // its taker died: try the next number
  }
  let taken = false;
  try {
    const now = readHeld(path);
    if (now === null || now.inode !== held.inode || now.raw !== held.raw) return 'changed';
    const temporary = `${path}.${process.pid}.${Math.floor(Math.random() * 2 ** 32).toString(16)}.tmp`;
    try {
      writeFileSync(temporary, content, { flag: 'wx' });
      renameSync(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw named(error, path);
    }
    taken = true;
    return 'taken';
  } finally {
    // only the taker removes markers of takers that died (no one else can have them); always its own
    for (const marker of taken ? [...markers, mine] : [mine]) rmSync(marker, { force: true });
  }
}

/** The pid a takeover marker holds, or null when it is gone (a marker being written reads as this process's). */
function markerOwner(marker: string): number | null {
  try {
    const pid = Number(readFileSync(marker, 'utf8'));
    return Number.isSafeInteger(pid) && pid > 0 ? pid : process.pid;
  } catch {
    return null;
  }
}

function ageOf(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function releaser(path: string, mine: RunLock): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const held = readHeld(path);
    if (held?.lock?.pid === mine.pid && held.lock.host === mine.host && held.lock.startedAt === mine.startedAt) {
      rmSync(path, { force: true });
    }
  };
}

function describeHeld(held: Held): string {
  return held.lock
    ? `the lock of process ${held.lock.pid}, which no longer runs`
    : `a lock file that holds no vaejs lock (${shown(held.raw)}, ${seconds(held.ageMs)} old)`;
}

function lockError(options: LockOptions, expected: string, actual: string): ConfigError {
  return new ConfigError(formatExpected(options.fn ?? 'fit', options.argument ?? 'options.runDir', expected, actual));
}

function shown(raw: string): string {
  const text = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  return raw === '' ? 'nothing' : text;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

/** An error of an fd-based call (a full disk on write) carries no path: name the lock file. */
function named(error: unknown, path: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (failure && typeof failure === 'object') failure.path = path;
  return error;
}

/** Waits `ms` milliseconds without returning to the event loop (taking a lock is synchronous). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
