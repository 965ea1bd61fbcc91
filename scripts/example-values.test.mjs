import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareLine,
  compareOutput,
  documentedLines,
  ELIDED,
  EXAMPLES,
  EXEMPT,
  unlistedExamples,
} from './example-values.mjs';

const root = join(import.meta.dirname, '..');
// what packages/core/examples/quick-start.mjs prints on the documented backend (wasm with the native kernels)
const CORE_QUICK_START = ['[ 8 ] 572.97 567.30 11.35', '88.79 0.1634'];

describe('documentedLines', () => {
  it('takes the trailing comment or the next line, without the explanation after three spaces', () => {
    const source = [
      'console.log(a); // 1.50   (what it is)',
      'console.log(b);',
      '// [ 2, 3 ] int32',
      'console.log(',
      '  c,',
      '); // done',
      'console.log(d); // scalars:',
      '// loss kl',
    ].join('\n');
    expect(documentedLines(source)).toEqual([['1.50'], ['[ 2, 3 ] int32'], ['done'], ['scalars:', 'loss kl']]);
  });

  it('reads a block for a call listed in blocks (after its loop closes, … left out), none for a call without comment', () => {
    const source = [
      'const progress = { onEpochEnd: (epoch) => {',
      '  console.log(epoch);',
      '} };',
      'for (const x of [1, 2]) {',
      '  console.log(x);',
      '}',
      '// epoch 1',
      '// …',
      '// 2   (the last)',
      'other();',
    ].join('\n');
    expect(documentedLines(source, { blocks: [2] })).toEqual([['epoch 1'], ELIDED, ['2']]);
  });
});

describe('compareLine', () => {
  it('takes numbers within one unit of the last printed digit or 0.1 %, and words exactly', () => {
    expect(compareLine('572.98 0.1634', ['572.97 0.1634'])).toBeNull();
    expect(compareLine('19210 images', ['19196 images'])).toBeNull(); // 0.07 %
    expect(compareLine('128.2', ['128.3'])).toBeNull(); // one unit of the last digit
    expect(compareLine('128.2', ['128.4'])).toMatch(/printed '128\.2', the README shows '128\.4'/);
    expect(compareLine('19250 images', ['19196 images'])).not.toBeNull(); // 0.28 %
    expect(compareLine('0.030 14.0 0.5', ['≈ 0.030 ≈ 14 ≈ 0.5'])).not.toBeNull();
    expect(compareLine('wasm true 1', ['wasm false 1'])).not.toBeNull();
    expect(compareLine('wasm true 1', ['scalars:', 'wasm true 1'])).toBeNull(); // one of the candidates
  });
});

describe('compareOutput', () => {
  const coreSource = readFileSync(join(root, 'packages/core/examples/quick-start.mjs'), 'utf8');

  it('passes the core quick-start as it prints, and catches one figure documented wrong', () => {
    expect(compareOutput(CORE_QUICK_START, documentedLines(coreSource))).toEqual([]);
    const wrong = coreSource.replace('// [ 8 ] 572.97 567.30 11.35', '// [ 8 ] 572.97 567.30 11.45');
    expect(wrong).not.toBe(coreSource);
    expect(compareOutput(CORE_QUICK_START, documentedLines(wrong))).toEqual([
      "line 1: printed '[ 8 ] 572.97 567.30 11.35', the README shows '[ 8 ] 572.97 567.30 11.45'",
    ]);
  });

  it('catches a line more or fewer than documented, and skips machine lines only', () => {
    expect(compareOutput([...CORE_QUICK_START, 'extra'], documentedLines(coreSource))).toEqual([
      'printed 3 lines, the README documents 2',
    ]);
    const machine = ['[ 8 ] 1 2 3', '88.79 0.1634'];
    expect(compareOutput(machine, documentedLines(coreSource), { machineLines: [1] })).toEqual([]);
    expect(compareOutput(machine, documentedLines(coreSource), { machineLines: [2] })).toHaveLength(1);
  });

  it('lets … stand for any lines up to the next documented one, and still checks that one', () => {
    const documented = [['epoch 1: 283.1'], ELIDED, ['epoch 9: 139.1'], ['early-stopping 9']];
    const printed = ['epoch 1: 283.1', 'epoch 2: 193.5', 'epoch 9: 139.1', 'early-stopping 9'];
    expect(compareOutput(printed, documented)).toEqual([]);
    expect(compareOutput(['epoch 1: 283.1', 'epoch 9: 139.1', 'early-stopping 9'], documented)).toEqual([]);
    const drifted = ['epoch 1: 283.1', 'epoch 2: 193.5', 'epoch 9: 139.4', 'early-stopping 9'];
    expect(compareOutput(drifted, documented)).toEqual([
      "no line printed after line 1 is 'epoch 9: 139.1' (the line after '…')",
    ]);
    expect(compareOutput([...printed, 'more'], documented)).toEqual([
      "line 5: printed 'more', which the README does not show",
    ]);
  });
});

describe('the examples', () => {
  it('are each run or exempt with a reason', () => {
    expect(unlistedExamples()).toEqual([]);
    for (const reason of Object.values(EXEMPT)) expect(reason.length).toBeGreaterThan(10);
    for (const { file } of EXAMPLES) expect(EXEMPT[file]).toBeUndefined();
  });

  it('document a line for every line they print, in the blocks of their loops and callbacks', () => {
    // the number of lines each documents (… not counted): what they print on the documented backend
    const counts = Object.fromEntries(
      EXAMPLES.map(({ file, blocks }) => [
        file,
        documentedLines(readFileSync(join(root, file), 'utf8'), { blocks }).filter((entry) => entry !== ELIDED).length,
      ]),
    );
    expect(counts['packages/vqvae/examples/quantizers.mjs']).toBe(5);
    expect(counts['packages/training/examples/resume.mjs']).toBe(5);
    expect(counts['packages/training/examples/read-run.mjs']).toBe(4);
    expect(counts['packages/training/examples/page-run.mjs']).toBe(4);
    expect(counts['packages/training/examples/callbacks.ts']).toBe(4);
    for (const [file, count] of Object.entries(counts)) expect(count, file).toBeGreaterThan(0);
  });
});
