import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireRunLock, processAlive, removeStaleLockFiles } from './lock';

const dir = mkdtempSync(join(tmpdir(), 'vaejs-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run folder of its own for one case. */
function runFolder(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  return folder;
}

describe('acquireRunLock', () => {
  it('holds .lock with this pid and host until released; a second writer is refused, naming the holder', () => {
    const folder = runFolder('live');
    const release = acquireRunLock(folder);
    const lock = JSON.parse(readFileSync(join(folder, '.lock'), 'utf8'));
    expect([lock.pid, lock.host]).toEqual([process.pid, hostname()]);
    expect(() => acquireRunLock(folder)).toThrow(
      new RegExp(
        `^fit: expected options\\.runDir a run no other process writes, got '.*', which process ${process.pid} on `,
      ),
    );
    release();
    release();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('takes over the lock of a process that no longer runs, and an old file that holds no lock, saying so', () => {
    const folder = runFolder('stale');
    const lines: string[] = [];
    writeFileSync(join(folder, '.lock'), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: 'then' }));
    acquireRunLock(folder, (line) => lines.push(line))();
    writeFileSync(join(folder, '.lock'), 'garbage');
    utimesSync(join(folder, '.lock'), new Date(0), new Date(0));
    acquireRunLock(folder, (line) => lines.push(line))();
    expect(lines).toEqual([
      expect.stringMatching(/^fit: taking over the lock of process 4194311, which no longer runs \(.*\.lock\)$/),
      expect.stringMatching(/^fit: taking over a lock file that holds no vaejs lock \("garbage", \d+ s old\)/),
    ]);
    // nothing left beside the run: no markers, no temporary files
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a lock holding {}, [], 42 or garbage: refused while young, naming the file and what it holds; taken over when old', () => {
    for (const content of ['{}', '[]', '42', 'garbage', '']) {
      const folder = runFolder(`foreign-${content.length}-${content.charCodeAt(0) || 0}`);
      const path = join(folder, '.lock');
      writeFileSync(path, content);
      let message = '';
      try {
        acquireRunLock(folder);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toMatch(/undefined/);
      expect(message).toMatch(
        new RegExp(
          `^fit: expected options\\.runDir a run no other process writes, got '.*', whose lock file .*\\.lock holds no vaejs lock \\((${content ? JSON.stringify(content).replace(/[[\]{}]/g, '\\$&') : 'nothing'}), written \\d+ s ago\\); if no process writes it, remove .*\\.lock\\.$`,
        ),
      );
      utimesSync(path, new Date(0), new Date(0));
      const release = acquireRunLock(folder);
      expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
      release();
    }
  });

  it("another host's lock is refused with the file to remove and when that is safe", () => {
    const folder = runFolder('other-host');
    writeFileSync(join(folder, '.lock'), JSON.stringify({ pid: 1234, host: 'elsewhere', startedAt: '2026-12-01' }));
    expect(() => acquireRunLock(folder)).toThrow(
      /^fit: expected options\.runDir a run no other process writes, got '.*', which process 1234 on elsewhere \(since 2026-12-01\) is writing \(.*other-host\/\.lock\); once that process no longer runs on elsewhere, remove .*other-host\/\.lock\.$/,
    );
  });

  it('a takeover marker or temporary lock file of a process that died is passed over, then swept', () => {
    const folder = runFolder('markers');
    const path = join(folder, '.lock');
    const stale = JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: 'then' });
    writeFileSync(path, stale);
    // a process that died taking this lock over left its marker (number 0), and a temporary lock file
    const { ino } = statSync(path);
    const hash = createHash('sha1').update(stale).digest('hex').slice(0, 12);
    writeFileSync(`${path}.takeover-${ino}-${hash}-0`, String(2 ** 22 + 9));
    writeFileSync(`${path}.${2 ** 22 + 9}.abc123.tmp`, '{}');
    const release = acquireRunLock(folder);
    removeStaleLockFiles(path);
    expect(readdirSync(folder)).toEqual(['.lock']);
    release();
  });

  it('a full disk leaves no .lock, and the error names it', () => {
    const mount = runFolder('tiny-disk');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      console.warn('full-disk lock case not run: mounting a tmpfs needs root');
      return;
    }
    try {
      writeFileSync(join(mount, 'filler'), Buffer.alloc(0));
      try {
        for (let i = 0; i < 64; i++) writeFileSync(join(mount, 'filler'), Buffer.alloc(4096 * (i + 1)));
      } catch {
        // full
      }
      let error: NodeJS.ErrnoException | null = null;
      try {
        acquireRunLock(mount);
      } catch (thrown) {
        error = thrown as NodeJS.ErrnoException;
      }
      expect(error?.code).toBe('ENOSPC');
      expect(error?.path).toBe(join(mount, '.lock'));
      expect(existsSync(join(mount, '.lock'))).toBe(false);
      expect(readdirSync(mount)).toEqual(['filler']);
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  });

  it('processAlive tells a running process from a gone one', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 7)).toBe(false);
  });
});
