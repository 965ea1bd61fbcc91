import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodeMapDataset } from '../code-maps';
import { encodeIdx } from '../idx';
import { loadCodeMaps, readCodesManifest, writeCodeMaps } from './code-map-files';
import { readIdxFile } from './idx-file';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vaejs-codes-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const maps = (n: number, labelled: boolean, numClasses = 4) =>
  createCodeMapDataset({
    name: 'm',
    codes: Int32Array.from({ length: n * 6 }, (_, i) => (i * 5) % 7),
    height: 2,
    width: 3,
    numCategories: 7,
    labels: labelled ? Int32Array.from({ length: n }, (_, i) => i % numClasses) : null,
    ...(labelled ? { numClasses } : {}),
  });

/** A folder as `vaejs encode` wrote it before code maps moved here: `codebookSize` and `vqvaeRun` fields. */
function oldFolder(
  name: string,
  manifest: Record<string, unknown>,
  codes = encodeIdx('int32', [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]),
): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-codes.idx'), codes);
  writeFileSync(join(dir, 'train-labels.idx'), encodeIdx('uint8', [2], [3, 1]));
  writeFileSync(
    join(dir, 'codes.json'),
    JSON.stringify({
      format: 'vaejs-codes',
      version: 1,
      codebookSize: 7,
      height: 2,
      width: 3,
      numClasses: 10,
      vqvaeRun: '/runs/vqvae',
      splits: ['train'],
      ...manifest,
    }),
  );
  return dir;
}

describe('writeCodeMaps / loadCodeMaps', () => {
  it('writes int32 codes, uint8 labels and codes.json, and loads them back', () => {
    const dir = join(root, 'written');
    const train = maps(5, true);
    const test = maps(3, false, 0);
    const manifest = writeCodeMaps(dir, { train, test: { ...test, numClasses: 4 } }, { vqvaeRun: '/runs/a', step: 3 });
    expect(manifest).toEqual({
      format: 'vaejs-codes',
      version: 1,
      numCategories: 7,
      height: 2,
      width: 3,
      numClasses: 4,
      splits: ['train', 'test'],
      source: { vqvaeRun: '/runs/a', step: 3 },
      files: {
        'train-codes.idx': { bytes: 16 + 5 * 6 * 4, sha256: expect.stringMatching(/^[\da-f]{64}$/) },
        'train-labels.idx': { bytes: 8 + 5, sha256: expect.stringMatching(/^[\da-f]{64}$/) },
        'test-codes.idx': { bytes: 16 + 3 * 6 * 4, sha256: expect.stringMatching(/^[\da-f]{64}$/) },
      },
    });
    expect(JSON.parse(readFileSync(join(dir, 'codes.json'), 'utf8'))).toEqual(manifest);
    expect(readdirSync(dir).sort()).toEqual(['codes.json', 'test-codes.idx', 'train-codes.idx', 'train-labels.idx']);
    const codesFile = readIdxFile(join(dir, 'train-codes.idx'));
    expect([codesFile.dtype, codesFile.shape]).toEqual(['int32', [5, 2, 3]]);
    expect(readIdxFile(join(dir, 'train-labels.idx')).dtype).toBe('uint8');
    expect(readCodesManifest(dir)).toEqual(manifest);

    const loaded = loadCodeMaps(dir, { split: 'train' });
    expect([loaded.kind, loaded.name, loaded.size, loaded.numCategories, loaded.numClasses]).toEqual([
      'code-maps',
      'written-train',
      5,
      7,
      4,
    ]);
    expect(Array.from(loaded.codes)).toEqual(Array.from(train.codes));
    expect(Array.from(loaded.labels ?? [])).toEqual([0, 1, 2, 3, 0]);
    const unlabelled = loadCodeMaps(dir, { split: 'test' });
    expect([unlabelled.size, unlabelled.labels, unlabelled.numClasses]).toEqual([3, null, 0]);
    const limited = loadCodeMaps(dir, { split: 'train', limit: 2 });
    expect([limited.size, limited.name, Array.from(limited.labels ?? [])]).toEqual([2, 'written-train', [0, 1]]);
    expect(loadCodeMaps(dir, { split: 'train', limit: 50 }).size).toBe(5);

    // Rewriting a split without labels removes its old labels file.
    writeCodeMaps(dir, { train: { ...maps(5, false), numClasses: 0 } });
    expect(existsSync(join(dir, 'train-labels.idx'))).toBe(false);
    expect(loadCodeMaps(dir, { split: 'train' }).labels).toBeNull();
  });

  it('writes the folder as a whole: a file of another encoding is refused when read, leftovers are swept', () => {
    const dir = join(root, 'whole');
    writeCodeMaps(dir, { train: maps(5, true), test: maps(3, true) }, { vqvaeRun: '/runs/a' });
    const other = join(root, 'other');
    const shifted = { ...maps(5, true), codes: Int32Array.from(maps(5, true).codes, (code) => (code + 1) % 7) };
    writeCodeMaps(other, { train: shifted, test: maps(3, true) }, { vqvaeRun: '/runs/b' });
    // what a writer of an earlier release killed midway left: train codes of one VQ-VAE beside a manifest of another
    copyFileSync(join(other, 'train-codes.idx'), join(dir, 'train-codes.idx'));
    writeFileSync(join(dir, `test-codes.idx.${2 ** 22 + 7}.tmp`), 'half');
    expect(() => loadCodeMaps(dir, { split: 'train' })).toThrow(
      /^loadCodeMaps: expected '.*whole\/train-codes\.idx' the file codes\.json names \(136 bytes, sha256 [\da-f]{12}…\), got another \(136 bytes, sha256 [\da-f]{12}…\): the folder mixes two encodings; encode it again\.$/,
    );
    expect(loadCodeMaps(dir, { split: 'test' }).size).toBe(3);
    // written again: whole, without the leftover; what killed writers left beside it is swept
    mkdirSync(join(root, `.whole.tmp-${2 ** 22 + 7}-ab`));
    mkdirSync(join(root, `.whole.old-${2 ** 22 + 7}-cd`));
    writeCodeMaps(dir, { train: maps(5, true), test: maps(3, true) }, { vqvaeRun: '/runs/a' });
    expect(readdirSync(dir).sort()).toEqual([
      'codes.json',
      'test-codes.idx',
      'test-labels.idx',
      'train-codes.idx',
      'train-labels.idx',
    ]);
    expect(readdirSync(root).filter((name) => name.startsWith('.whole'))).toEqual([]);
    expect(loadCodeMaps(dir, { split: 'train' }).size).toBe(5);
  });

  it('refuses a dir that is a file, holds other files, or has a NUL, changing nothing; says where a killed swap left its maps', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => writeCodeMaps(file, { train: maps(2, false) })).toThrow(
      /^writeCodeMaps: expected dir a folder, got '.*a-file', which is a file\.$/,
    );
    const notes = join(root, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'keep me');
    expect(() => writeCodeMaps(notes, { train: maps(2, false) })).toThrow(
      /^writeCodeMaps: expected dir a new folder, an empty one, or one this writes \(to replace\), got '.*notes', which holds other files \(todo\.txt\)\.$/,
    );
    expect(readdirSync(notes)).toEqual(['todo.txt']);
    expect(() => writeCodeMaps('codes\0x', { train: maps(2, false) })).toThrow(
      /^writeCodeMaps: expected dir a folder path \(no NUL character\), got "codes\\u0000x"\.$/,
    );
    // a writer killed between its two renames: the folder is gone, its new content complete beside it
    const swapped = join(root, 'swapped');
    writeCodeMaps(swapped, { train: maps(2, false) });
    renameSync(swapped, join(root, `.swapped.tmp-${2 ** 22 + 7}-ef`));
    expect(() => readCodesManifest(swapped)).toThrow(
      /^readCodesManifest: expected folder '.*swapped' to exist, got none \(a writer killed while replacing it left its new code maps in '.*\.swapped\.tmp-4194311-ef': rename that to '.*swapped', or encode again\)\.$/,
    );
  });

  it('reads folders written before: codebookSize for numCategories, vqvaeRun into source', () => {
    const dir = oldFolder('old', {});
    expect(readCodesManifest(dir)).toEqual({
      format: 'vaejs-codes',
      version: 1,
      numCategories: 7,
      height: 2,
      width: 3,
      numClasses: 10,
      splits: ['train'],
      source: { vqvaeRun: '/runs/vqvae' },
    });
    const loaded = loadCodeMaps(dir, { split: 'train' });
    expect([loaded.size, loaded.numCategories, loaded.numClasses, Array.from(loaded.labels ?? [])]).toEqual([
      2,
      7,
      10,
      [3, 1],
    ]);
    expect(Array.from(loaded.codes)).toEqual([0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]);
  });

  it('rejects what it cannot write', () => {
    const dir = join(root, 'refused');
    expect(() => writeCodeMaps(dir, {})).toThrow(
      /^writeCodeMaps: expected splits at least one split, got an object\.$/,
    );
    const other = createCodeMapDataset({ name: 'o', codes: new Int32Array(4), height: 2, width: 2, numCategories: 7 });
    expect(() => writeCodeMaps(dir, { train: maps(2, false), test: other })).toThrow(
      /^writeCodeMaps: expected splits\.test\.width 3 \(as the first split's\), got 2\.$/,
    );
    expect(() => writeCodeMaps(dir, { '../up': maps(2, false) })).toThrow(
      /^writeCodeMaps: expected split names letters, digits, _ \. - \(a file name\), got '\.\.\/up'\.$/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [
      'missing folder',
      () => join(root, 'nowhere'),
      /^readCodesManifest: expected folder '.*nowhere' to exist, got none\.$/,
    ],
    [
      'no manifest',
      () => {
        const dir = join(root, 'empty');
        mkdirSync(dir, { recursive: true });
        return dir;
      },
      /^readCodesManifest: expected folder '.*empty' code maps with codes\.json \(from writeCodeMaps or vaejs encode\), got no codes\.json\.$/,
    ],
    [
      'invalid JSON',
      () => {
        const dir = oldFolder('bad-json', {});
        writeFileSync(join(dir, 'codes.json'), '{"format": ');
        return dir;
      },
      /^readCodesManifest: expected '.*codes\.json' valid JSON, got .+\.$/,
    ],
    [
      'another format',
      () => oldFolder('other-format', { format: 'vaejs-vqvae' }),
      /^readCodesManifest: expected '.*codes\.json' format 'vaejs-codes', got 'vaejs-vqvae'\.$/,
    ],
    [
      'another version',
      () => oldFolder('other-version', { version: 2 }),
      /^readCodesManifest: expected '.*codes\.json' version 1, got 2\.$/,
    ],
    [
      'no K',
      () => oldFolder('no-k', { codebookSize: undefined }),
      /^readCodesManifest: expected '.*codes\.json' numCategories an integer ≥ 1, got undefined\.$/,
    ],
  ])('explains a bad folder: %s', (_, make, message) => {
    const dir = make();
    expect(() => loadCodeMaps(dir, { split: 'train' })).toThrow(DataError);
    expect(() => loadCodeMaps(dir, { split: 'train' })).toThrow(message);
  });

  it('explains a bad split, shape or value', () => {
    const dir = oldFolder('good', {});
    expect(() => loadCodeMaps(dir, { split: 'test' })).toThrow(
      /^loadCodeMaps: expected options\.split one of train, got 'test'\.$/,
    );
    expect(() => loadCodeMaps(dir, { split: 'train', limit: 0 })).toThrow(
      /^loadCodeMaps: expected options\.limit a positive integer, got 0\.$/,
    );
    const shape = oldFolder('shape', {}, encodeIdx('int32', [1, 3, 3], new Array(9).fill(0)));
    expect(() => loadCodeMaps(shape, { split: 'train' })).toThrow(
      /^loadCodeMaps: expected '.*train-codes\.idx' int32 \[n,2,3\] \(codes\.json\), got int32 \[1,3,3\]\.$/,
    );
    const dtype = oldFolder('dtype', {}, encodeIdx('uint8', [2, 2, 3], new Array(12).fill(0)));
    expect(() => loadCodeMaps(dtype, { split: 'train' })).toThrow(/got uint8 \[2,2,3\]\.$/);
    const range = oldFolder('range', {}, encodeIdx('int32', [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0]));
    expect(() => loadCodeMaps(range, { split: 'train' })).toThrow(
      /^loadCodeMaps: '.*train-codes\.idx' \(codes\.json: numCategories 7\): createCodeMapDataset: expected codes values in \[0, 6\] \(numCategories 7\), got 7 at map 1, position 1\.$/,
    );
  });
});
