// The figures the READMEs show as printed output are what the examples print, on the documented backend (wasm with
// the native kernels, linux-x64): each example below runs from the workspace's built packages, and every line it
// prints is compared with the comment its README shows after that `console.log` (on the same line, or the next) —
// the words exactly, the numbers within a stated tolerance: 0.1 % of the documented value, or one unit of its last
// printed digit, whichever is larger. Examples whose output depends on time or on the machine are not listed (their
// format is checked from the tarballs, scripts/pack-smoke.mjs). CI runs it: scripts/ci.sh.
//
//   node scripts/example-values.mjs   exit 1 naming each line that differs
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
/** Deterministic examples (seeded, on one backend): their every printed line is documented. */
const EXAMPLES = [
  { file: 'packages/core/examples/quick-start.mjs' },
  { file: 'packages/core/examples/gradients.cjs' },
  // its first line names the machine's instruction set (avx512_core_bf16 here): the machine's, not a figure
  { file: 'packages/backend/examples/quick-start.mjs', machineLines: [1] },
];
/** Where the examples run: a workspace package that depends on every @vaejs package, so their imports resolve. */
const HOST = join(root, 'apps', 'trainer');

/** The documented output after each `console.log(` of a file: a trailing comment, or the next line's comment. */
export function documentedLines(source) {
  const lines = source.split('\n');
  const documented = [];
  lines.forEach((line, i) => {
    if (!/^\s*console\.log\(/.test(line)) return;
    // a call over several lines: its comment follows its closing `);`
    let end = i;
    while (!/\);(\s*\/\/.*)?$/.test(lines[end] ?? '') && end < lines.length - 1) end++;
    const trailing = /\);\s*\/\/ (.*)$/.exec(lines[end] ?? '')?.[1];
    const next = /^\s*\/\/ (.*)$/.exec(lines[end + 1] ?? '')?.[1];
    // the output, without what explains it (after three spaces)
    const output = (text) => text.split(/ {3,}/)[0].trim();
    documented.push([trailing, next].filter((text) => text !== undefined).map(output));
  });
  return documented;
}

/** Whether `printed` is one of `candidates`: the same words, numbers within the tolerance. Returns null or why not. */
export function compareLine(printed, candidates) {
  const tokens = (text) => text.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?|[^\s\d-]+|-/g) ?? [];
  const isNumber = (token) => /^-?\d/.test(token);
  const close = (value, documented) => {
    const decimals = documented.split('.')[1]?.length ?? 0;
    const tolerance = Math.max(1e-3 * Math.abs(Number(documented)), 10 ** -decimals);
    return Math.abs(Number(value) - Number(documented)) <= tolerance + 1e-12;
  };
  for (const candidate of candidates) {
    const [got, want] = [tokens(printed), tokens(candidate)];
    if (got.length !== want.length) continue;
    if (got.every((token, k) => (isNumber(want[k]) ? isNumber(token) && close(token, want[k]) : token === want[k]))) {
      return null;
    }
  }
  return `printed '${printed}', the README shows '${candidates.join("' or '")}'`;
}

function main() {
  const problems = [];
  for (const { file: example, machineLines = [] } of EXAMPLES) {
    const source = readFileSync(join(root, example), 'utf8');
    const copy = join(HOST, `.example-values-${basename(example, extname(example))}${extname(example)}`);
    copyFileSync(join(root, example), copy);
    let result;
    try {
      result = spawnSync(process.execPath, [copy], { cwd: HOST, encoding: 'utf8', timeout: 120_000 });
    } finally {
      rmSync(copy, { force: true });
    }
    if (result.status !== 0) {
      problems.push(`${example}: exited with ${result.status}\n${result.stderr}`);
      continue;
    }
    const printed = result.stdout.trimEnd().split('\n');
    const documented = documentedLines(source);
    if (printed.length !== documented.length) {
      problems.push(`${example}: printed ${printed.length} lines for ${documented.length} console.log calls`);
      continue;
    }
    printed.forEach((line, k) => {
      if (machineLines.includes(k + 1)) return;
      const why = compareLine(line, documented[k]);
      if (why) problems.push(`${example}, line ${k + 1}: ${why}`);
    });
  }
  for (const problem of problems) console.error(`example-values: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`example-values: ${EXAMPLES.length} examples print what their READMEs show`);
}

if (process.argv[1] === import.meta.filename) main();
