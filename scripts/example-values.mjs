// The figures the READMEs show as printed output are what the examples print, on the documented backend (wasm with
// the native kernels, linux-x64): each example below runs from the workspace's built packages, in one fresh folder
// (the training examples read the runs the ones before them write), and every line it prints is compared with the
// comment its README shows for it — the words exactly, the numbers within a stated tolerance: 0.1 % of the documented
// value, or one unit of its last printed digit, whichever is larger. Lines that name the machine (its instruction
// set, its paths) are exempt by number, each with its reason; examples that cannot run here are listed in EXEMPT
// (their format is checked from the tarballs, scripts/pack-smoke.mjs). CI runs it: scripts/ci.sh.
//
// Where an example documents its output (documentedLines):
//   console.log(a, b); // 1 2   (after three spaces: what the figures are, not compared)
//   console.log(a, b);
//   // 1 2                       either comment, on the call's line or the next, is the one line the call prints
// A call listed in `blocks` prints the comment lines after it (after the loop or callback it closes), one line each,
// `…` standing for lines the README leaves out; a call with no comment prints lines a later call's block shows (a
// callback's lines, shown after the call that ends the training).
//
//   node scripts/example-values.mjs   exit 1 naming each line that differs
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { transformSync } from 'esbuild';

const root = join(import.meta.dirname, '..');
/** Deterministic examples (seeded, fixed data, on one backend), in the order they run. */
export const EXAMPLES = [
  { file: 'packages/core/examples/quick-start.mjs' },
  { file: 'packages/core/examples/gradients.cjs' },
  // its first line names the machine's instruction set (avx512_core_bf16 here): the machine's, not a figure
  { file: 'packages/backend/examples/quick-start.mjs', machineLines: [1] },
  // its second line is tfjs-node's absence, with the folders it looked in: this checkout's paths, not a figure
  { file: 'packages/backend/examples/choose-backend.cjs', machineLines: [2] },
  { file: 'packages/backend-native/examples/info.cjs' },
  { file: 'packages/datasets/examples/quick-start.mjs' },
  { file: 'packages/datasets/examples/own-data.mjs' },
  { file: 'packages/vae/examples/quick-start.mjs' },
  { file: 'packages/vae/examples/conditional.mjs' },
  { file: 'packages/vae/examples/save-load.ts' },
  { file: 'packages/vqvae/examples/quick-start.mjs' },
  { file: 'packages/vqvae/examples/vqvae.mjs' },
  { file: 'packages/vqvae/examples/ema.mjs' },
  { file: 'packages/vqvae/examples/quantizers.mjs', blocks: [2] }, // the loop over four quantisers: a line each
  { file: 'packages/pixelcnn-prior/examples/quick-start.mjs' },
  { file: 'packages/pixelcnn-prior/examples/conditional.mjs' },
  // one epoch of all of MNIST (about 12 s); read-run.mjs reads its run
  { file: 'packages/training/examples/quick-start.mjs' },
  { file: 'packages/training/examples/vqvae.mjs' },
  { file: 'packages/training/examples/prior.mjs' }, // reads the run vqvae.mjs wrote
  { file: 'packages/training/examples/read-run.mjs', blocks: [1] }, // a line per run, in a loop
  { file: 'packages/training/examples/resume.mjs', blocks: [1] }, // a line per fit, in a loop
  { file: 'packages/training/examples/page-run.mjs', blocks: [2] }, // the previews' line, then the stop's
  { file: 'packages/training/examples/callbacks.ts', blocks: [2] }, // the callback's line per epoch, then the stop's
];
/** Examples this check does not run, and why. */
export const EXEMPT = {
  // which backend a page gets depends on its GPU (webgpu, webgl, or wasm with both skipped); pack-smoke.mjs bundles
  // it and runs it in headless Chromium, checking each line's format and the gradient's values (9 9)
  'packages/backend/examples/browser.mjs': 'runs in a browser, whose backend depends on the machine',
};
/** The examples/ files of the packages that neither EXAMPLES nor EXEMPT names: a new example must be one or the other. */
export function unlistedExamples() {
  const listed = new Set([...EXAMPLES.map(({ file }) => file), ...Object.keys(EXEMPT)]);
  return readdirSync(join(root, 'packages'))
    .flatMap((name) => {
      const folder = join(root, 'packages', name, 'examples');
      return existsSync(folder) ? readdirSync(folder).map((file) => `packages/${name}/examples/${file}`) : [];
    })
    .filter((file) => /\.(mjs|cjs|js|ts)$/.test(file) && !listed.has(file))
    .sort();
}
/** Where the examples run from: a workspace package that depends on every @vaejs package, so their imports resolve. */
const HOST = join(root, 'apps', 'trainer');
/** A documented line `…`: any number of printed lines the README leaves out. */
export const ELIDED = Symbol('…');

/**
 * The lines a file documents as its output, in order: one entry per `console.log(` call, the texts it may print (its
 * trailing comment, the next line's comment); for a call listed in `blocks` (counted from 1), an entry per comment line
 * after it (ELIDED for `…`); none for a call without a comment.
 */
export function documentedLines(source, { blocks = [] } = {}) {
  const lines = source.split('\n');
  const documented = [];
  // the output, without what explains it (after three spaces)
  const output = (text) => text.split(/ {3,}/)[0].trim();
  let call = 0;
  lines.forEach((line, i) => {
    if (!/^\s*console\.log\(/.test(line)) return;
    call++;
    // a call over several lines: its comment follows its closing `);`
    let end = i;
    while (!/\);(\s*\/\/.*)?$/.test(lines[end] ?? '') && end < lines.length - 1) end++;
    if (blocks.includes(call)) {
      // the comment lines after the call, or after the brackets that close its loop or callback
      let next = end + 1;
      while (/^\s*[)\]}][)\]};,]*\s*$/.test(lines[next] ?? '')) next++;
      for (; /^\s*\/\/ /.test(lines[next] ?? ''); next++) {
        const text = output(lines[next].replace(/^\s*\/\/ /, ''));
        documented.push(text === '…' ? ELIDED : [text]);
      }
      return;
    }
    const trailing = /\);\s*\/\/ (.*)$/.exec(lines[end] ?? '')?.[1];
    const next = /^\s*\/\/ (.*)$/.exec(lines[end + 1] ?? '')?.[1];
    const candidates = [trailing, next].filter((text) => text !== undefined).map(output);
    if (candidates.length > 0) documented.push(candidates);
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

/**
 * What differs between the printed lines and the documented ones (documentedLines), as a list: line by line, ELIDED
 * taking the printed lines up to the first the next documented line matches. `machineLines` (printed line numbers,
 * from 1) are not compared.
 */
export function compareOutput(printed, documented, { machineLines = [] } = {}) {
  if (!documented.includes(ELIDED) && printed.length !== documented.length) {
    return [`printed ${printed.length} lines, the README documents ${documented.length}`];
  }
  const problems = [];
  let line = 0;
  for (let k = 0; k < documented.length; k++) {
    const candidates = documented[k];
    if (candidates === ELIDED) {
      const following = documented[k + 1];
      if (following === undefined) {
        line = printed.length;
        continue;
      }
      const start = line;
      while (line < printed.length && compareLine(printed[line], following) !== null) line++;
      if (line === printed.length) {
        problems.push(`no line printed after line ${start} is '${following.join("' or '")}' (the line after '…')`);
        return problems;
      }
      continue;
    }
    if (line === printed.length) {
      problems.push(`printed ${printed.length} lines, the README shows more: '${candidates.join("' or '")}'`);
      return problems;
    }
    const why = machineLines.includes(line + 1) ? null : compareLine(printed[line], candidates);
    if (why) problems.push(`line ${line + 1}: ${why}`);
    line++;
  }
  if (line < printed.length)
    problems.push(`line ${line + 1}: printed '${printed[line]}', which the README does not show`);
  return problems;
}

/** Runs an example as a user does (a TypeScript one stripped of its types first) from HOST, in `cwd`. */
function runExample(example, cwd) {
  const extension = extname(example) === '.ts' ? '.mjs' : extname(example);
  const copy = join(HOST, `.example-values-${basename(example, extname(example))}${extension}`);
  if (extname(example) === '.ts') {
    const source = readFileSync(join(root, example), 'utf8');
    writeFileSync(copy, transformSync(source, { loader: 'ts', format: 'esm' }).code);
  } else {
    copyFileSync(join(root, example), copy);
  }
  try {
    return spawnSync(process.execPath, [copy], { cwd, encoding: 'utf8', timeout: 120_000 });
  } finally {
    rmSync(copy, { force: true });
  }
}

function main() {
  const problems = unlistedExamples().map(
    (file) => `${file}: neither run (EXAMPLES) nor exempt with a reason (EXEMPT)`,
  );
  const started = performance.now();
  const cwd = mkdtempSync(join(tmpdir(), 'vaejs-example-values-'));
  try {
    for (const { file: example, machineLines = [], blocks = [] } of EXAMPLES) {
      const result = runExample(example, cwd);
      if (result.status !== 0) {
        problems.push(`${example}: exited with ${result.status ?? result.signal}\n${result.stderr}`);
        continue;
      }
      const printed = result.stdout.trimEnd().split('\n');
      const documented = documentedLines(readFileSync(join(root, example), 'utf8'), { blocks });
      for (const problem of compareOutput(printed, documented, { machineLines }))
        problems.push(`${example}, ${problem}`);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  for (const problem of problems) console.error(`example-values: ${problem}`);
  if (problems.length > 0) process.exit(1);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `example-values: ${EXAMPLES.length} examples print what their READMEs show (${seconds} s; not run: ${Object.keys(EXEMPT).join(', ')})`,
  );
}

if (process.argv[1] === import.meta.filename) main();
