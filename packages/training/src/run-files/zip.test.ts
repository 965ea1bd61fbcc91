import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isRunPath, runFilesOf } from './run-files';
import { crc32, readZip, writeZip } from './zip';

const bytes = (text: string) => new TextEncoder().encode(text);
const files = new Map([
  ['config.json', bytes('{"format":"vaejs-run"}')],
  ['checkpoints/latest.json', bytes('{"checkpoint":"epoch-0001"}')],
  ['checkpoints/epoch-0001/encoder/weights.bin', Uint8Array.from({ length: 1000 }, (_, i) => i % 251)],
]);

/** A zip with one entry whose name and content are given as they are (for archives that should be refused). */
function zipOf(entries: [string, Uint8Array][]): Uint8Array {
  return writeZip(new Map(entries));
}

describe('zip archives of run folders', () => {
  it('computes the CRC-32 of the zip and PNG formats', () => {
    expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('reads back what it writes, and what `unzip` reads', async () => {
    const archive = writeZip(files, { date: new Date(2024, 0, 2, 3, 4, 6) });
    expect(await readZip(archive)).toEqual(files);
    const dir = mkdtempSync(join(tmpdir(), 'vaejs-zip-'));
    try {
      writeFileSync(join(dir, 'run.zip'), archive);
      let listing = '';
      try {
        listing = execFileSync('unzip', ['-l', join(dir, 'run.zip')], { encoding: 'utf8' });
      } catch {
        listing = 'no unzip';
      }
      if (listing !== 'no unzip') expect(listing).toMatch(/checkpoints\/epoch-0001\/encoder\/weights\.bin/);
      if (listing !== 'no unzip') expect(listing).toMatch(/2024/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads deflated entries, skips folders and macOS extras, and opens a run zipped with its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaejs-zip-'));
    try {
      let archive: Uint8Array | null = null;
      try {
        mkdirSync(join(dir, 'vae', 'checkpoints'), { recursive: true });
        writeFileSync(join(dir, 'vae', 'config.json'), '{"format":"vaejs-run","kind":"vae"}'.repeat(20));
        writeFileSync(join(dir, 'vae', 'checkpoints', 'latest.json'), '{"checkpoint":"epoch-0001"}');
        execFileSync('zip', ['-qr', 'vae.zip', 'vae'], { cwd: dir });
        archive = new Uint8Array(readFileSync(join(dir, 'vae.zip')));
      } catch {
        archive = null; // no zip command here: the deflate path is still checked below
      }
      if (archive) {
        const read = await readZip(archive, 'vae.zip');
        expect([...read.keys()].sort()).toEqual(['checkpoints/latest.json', 'config.json']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // a deflated entry made here: the stored writer, then the entry swapped for its deflated bytes
    const content = bytes('{"format":"vaejs-run"}'.repeat(50));
    const deflated = deflateRawSync(content);
    const stored = zipOf([['config.json', content]]);
    const view = new DataView(stored.buffer);
    const rebuilt = new Uint8Array(30 + 11 + deflated.length + (stored.length - (30 + 11 + content.length)));
    rebuilt.set(stored.subarray(0, 41));
    rebuilt.set(deflated, 41);
    rebuilt.set(stored.subarray(41 + content.length), 41 + deflated.length);
    const fix = new DataView(rebuilt.buffer);
    fix.setUint16(8, 8, true);
    fix.setUint32(18, deflated.length, true);
    const central = 41 + deflated.length;
    fix.setUint16(central + 10, 8, true);
    fix.setUint32(central + 20, deflated.length, true);
    fix.setUint32(rebuilt.length - 22 + 16, central, true);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect((await readZip(rebuilt)).get('config.json')).toEqual(content);
    // folders and macOS extras are skipped; a run one folder down is opened there
    const nested = zipOf([
      ['__MACOSX/vae/._config.json', bytes('x')],
      ['vae/config.json', bytes('{}')],
      ['vae/.DS_Store', bytes('x')],
      ['vae/checkpoints/latest.json', bytes('{}')],
    ]);
    expect([...(await readZip(nested)).keys()].sort()).toEqual(['checkpoints/latest.json', 'config.json']);
  });

  it('refuses paths that leave the folder, damaged bytes and what is not a zip, naming the archive', async () => {
    expect(isRunPath('checkpoints/epoch-0001/model.json')).toBe(true);
    for (const path of ['../x', 'a/../../x', '/etc/passwd', 'C:\\x', 'a//b', './a', ''])
      expect(isRunPath(path), path).toBe(false);
    await expect(readZip(zipOf([['../evil.json', bytes('{}')]]), 'run.zip')).rejects.toThrow(
      /^checkpoint: expected run\.zip path a relative path inside the folder \(no "\.\.", no leading "\/"\), got '\.\.\/evil\.json'\.$/,
    );
    const damaged = writeZip(files);
    damaged[30 + 41 + 10] = (damaged[30 + 41 + 10] as number) ^ 0xff; // a byte of the first entry's data
    await expect(readZip(damaged, 'run.zip')).rejects.toThrow(
      /^readZip: expected run\.zip '.+' to match its CRC-32 and size, got other bytes \(a damaged archive\)\.$/,
    );
    await expect(readZip(bytes('{"not": "a zip"}'), 'run.zip')).rejects.toThrow(
      /^readZip: expected run\.zip a zip archive, got no end of central directory in 16 bytes\.$/,
    );
    await expect(readZip(writeZip(files).subarray(0, 500), 'cut.zip')).rejects.toThrow(
      /^readZip: expected cut\.zip a zip archive/,
    );
    expect(() =>
      runFilesOf(
        [
          ['a', bytes('1')],
          ['a', bytes('2')],
        ],
        'drop',
      ),
    ).toThrow(/^checkpoint: expected drop one entry per path, got 'a' twice\.$/);
  });
});
