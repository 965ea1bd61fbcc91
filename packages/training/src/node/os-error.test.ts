import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osErrorLine } from './os-error';

describe('osErrorLine', () => {
  it("names the path and says what to do about a real error of Node's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaejs-os-error-'));
    try {
      const file = join(dir, 'file');
      writeFileSync(file, 'x');
      let thrown: unknown;
      try {
        writeFileSync(join(file, 'inside'), 'y');
      } catch (error) {
        thrown = error;
      }
      expect(osErrorLine(thrown)).toBe(
        `could not open '${join(file, 'inside')}' (ENOTDIR): a part of the path is a file, not a folder: choose another path.`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says a full disk is full, and leaves other errors alone', () => {
    const full = Object.assign(new Error('no space'), { code: 'ENOSPC', syscall: 'write' });
    expect(osErrorLine(full)).toBe(
      'could not write a file (ENOSPC): the disk is full: free some space and run again (--resume continues from the last checkpoint).',
    );
    expect(osErrorLine(new Error('other'))).toBeNull();
    expect(osErrorLine(Object.assign(new Error(), { code: 'EWHAT' }))).toBeNull();
    expect(osErrorLine(undefined)).toBeNull();
  });
});
