import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaryFiles, replaceFileDurable } from './file-io';

const dir = mkdtempSync(join(tmpdir(), 'vaejs-file-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFileDurable', () => {
  it('replaces a file as a whole and leaves nothing beside it', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"old": true}');
    replaceFileDurable(path, '{"new": true}');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ new: true });
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('a rename that fails keeps the old content, removes the temporary file and names the file replaced', () => {
    const path = join(dir, 'taken');
    mkdirSync(join(path, 'inside'), { recursive: true });
    let error: NodeJS.ErrnoException | null = null;
    try {
      replaceFileDurable(path, 'x');
    } catch (thrown) {
      error = thrown as NodeJS.ErrnoException;
    }
    expect(error?.path).toBe(path);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'taken']);
  });

  it('removeStaleTemporaryFiles removes the temporary files of processes that no longer run only', () => {
    const folder = join(dir, 'sweep');
    mkdirSync(folder);
    writeFileSync(join(folder, `.metrics.jsonl.${2 ** 22 + 7}.ab12.tmp`), 'half');
    writeFileSync(join(folder, `.loss.png.${process.pid}.cd34.tmp`), 'mine');
    writeFileSync(join(folder, 'metrics.jsonl'), '');
    removeStaleTemporaryFiles(folder, (pid) => pid !== 2 ** 22 + 7);
    expect(readdirSync(folder).sort()).toEqual([`.loss.png.${process.pid}.cd34.tmp`, 'metrics.jsonl']);
  });
});
