import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireRunLock, processAlive } from './lock';

const dir = mkdtempSync(join(tmpdir(), 'vaejs-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('acquireRunLock', () => {
  it('holds .lock with this pid and host until released; a second writer is refused, naming the holder', () => {
    const release = acquireRunLock(dir);
    const lock = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'));
    expect([lock.pid, lock.host]).toEqual([process.pid, hostname()]);
    expect(() => acquireRunLock(dir)).toThrow(
      new RegExp(
        `^fit: expected options\\.runDir a run no other process writes, got '.*', which process ${process.pid} on `,
      ),
    );
    release();
    release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('takes over the lock of a process that no longer runs, and an old unreadable one, saying so', () => {
    const lines: string[] = [];
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: 'then' }));
    acquireRunLock(dir, (line) => lines.push(line))();
    writeFileSync(join(dir, '.lock'), 'garbage');
    utimesSync(join(dir, '.lock'), new Date(0), new Date(0));
    acquireRunLock(dir, (line) => lines.push(line))();
    expect(lines).toEqual([
      expect.stringMatching(/^fit: taking over the lock of process 4194311, which no longer runs \(.*\.lock\)$/),
      expect.stringMatching(/^fit: taking over the lock of an unreadable lock file/),
    ]);
    writeFileSync(join(dir, '.lock'), 'being written');
    expect(() => acquireRunLock(dir)).toThrow(/which another process is writing/);
  });

  it('processAlive tells a running process from a gone one', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 7)).toBe(false);
  });
});
