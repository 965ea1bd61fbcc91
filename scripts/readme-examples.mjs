#!/usr/bin/env node
// The code a package README shows is its examples/ files, which CI runs from the packed tarballs (scripts/pack-smoke.mjs).
// A README marks each block it takes from a file with a comment on the line before the block's opening fence:
//
//   <!-- example: examples/quick-start.mjs -->
//   ```js
//   …the file's content…
//   ```
//
//   node scripts/readme-examples.mjs --check   exit 1 naming each README and example that differ, each example file
//                                              that no README block shows, and each marker without a block or file
//   node scripts/readme-examples.mjs --write   rewrite the marked blocks from the files
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const MARKER = /^<!--\s*example:\s*(\S+)\s*-->\s*$/;
const LANGUAGES = { '.mjs': 'js', '.cjs': 'js', '.js': 'js', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts' };

/** The package folders whose README shows examples: every published package (a README and an examples/ folder). */
function packageDirs() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((name) => join(root, 'packages', name))
    .filter((dir) => {
      const manifest = join(dir, 'package.json');
      return existsSync(manifest) && !JSON.parse(readFileSync(manifest, 'utf8')).private;
    });
}

/** The example files of a package: examples/*.{mjs,cjs,js,ts}, sorted. */
function exampleFiles(dir) {
  const folder = join(dir, 'examples');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => extname(name) in LANGUAGES)
    .sort()
    .map((name) => `examples/${name}`);
}

/**
 * The marked blocks of a README: `{ file, markerLine, start, end, language, code }` with `start`/`end` the line
 * indexes of the opening and closing fences. A marker not followed by a fenced block is returned with `start: -1`.
 */
function markedBlocks(lines) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const match = MARKER.exec(lines[i]);
    if (!match) continue;
    const fence = /^(`{3,})(\w*)\s*$/.exec(lines[i + 1] ?? '');
    if (!fence) {
      blocks.push({ file: match[1], markerLine: i, start: -1, end: -1, language: '', code: '' });
      continue;
    }
    let end = i + 2;
    while (end < lines.length && lines[end] !== fence[1]) end++;
    blocks.push({
      file: match[1],
      markerLine: i,
      start: i + 1,
      end,
      language: fence[2],
      code: lines.slice(i + 2, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

function main(mode) {
  const problems = [];
  let blocksSeen = 0;
  let rewritten = 0;
  // every package README shows all its examples; the root README shows some, by paths from the root
  const readmes = [...packageDirs().map((dir) => ({ dir, showsAll: true })), { dir: root, showsAll: false }];
  for (const { dir, showsAll } of readmes) {
    const readmePath = join(dir, 'README.md');
    const readmeName = relative(root, readmePath);
    const examples = showsAll ? exampleFiles(dir) : [];
    if (!existsSync(readmePath)) {
      problems.push(`${readmeName}: missing (it shows ${examples.join(', ') || 'no example'})`);
      continue;
    }
    const lines = readFileSync(readmePath, 'utf8').split('\n');
    const blocks = markedBlocks(lines);
    const shown = new Set(blocks.map((block) => block.file));
    if (showsAll && examples.length === 0) problems.push(`${readmeName}: its package has no examples/ file to show`);
    for (const example of examples) {
      if (!shown.has(example)) problems.push(`${readmeName}: shows no block of ${relative(root, join(dir, example))}`);
    }
    // Replace from the last block up, so that earlier line indexes stay valid.
    for (const block of [...blocks].reverse()) {
      blocksSeen++;
      const where = `${readmeName}:${block.markerLine + 1}`;
      const examplePath = join(dir, block.file);
      const exampleName = relative(root, examplePath);
      if (!existsSync(examplePath)) {
        problems.push(`${where}: the marker names ${exampleName}, which does not exist`);
        continue;
      }
      if (block.start === -1) {
        problems.push(`${where}: the marker for ${exampleName} is not followed by a fenced code block`);
        continue;
      }
      if (block.end >= lines.length) {
        problems.push(`${where}: the code block for ${exampleName} is not closed`);
        continue;
      }
      const code = readFileSync(examplePath, 'utf8').replace(/\n+$/, '');
      const language = LANGUAGES[extname(block.file)];
      if (block.code === code && block.language === language) continue;
      if (mode === 'write') {
        lines.splice(block.start, block.end - block.start + 1, `\`\`\`${language}`, ...code.split('\n'), '```');
        rewritten++;
      } else {
        const firstDifference = firstDifferentLine(block.code.split('\n'), code.split('\n'));
        const detail =
          block.language !== language
            ? `fence language '${block.language}', expected '${language}'`
            : `line ${firstDifference + 1} of the block differs`;
        problems.push(`${where}: the block differs from ${exampleName} (${detail})`);
      }
    }
    if (mode === 'write') writeFileSync(readmePath, lines.join('\n'));
  }
  if (mode === 'write') {
    console.log(`readme examples: ${rewritten} of ${blocksSeen} blocks rewritten from their files`);
    const remaining = problems.filter((problem) => !problem.includes('the block differs'));
    for (const problem of remaining) console.error(problem);
    if (remaining.length > 0) process.exitCode = 1;
    return;
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(
      `readme examples: ${problems.length} problem(s); \`node scripts/readme-examples.mjs --write\` copies the files into the READMEs`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(`readme examples: ${blocksSeen} blocks match their files`);
}

function firstDifferentLine(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const mode = process.argv.includes('--write') ? 'write' : process.argv.includes('--check') ? 'check' : null;
if (mode === null) {
  console.error('usage: node scripts/readme-examples.mjs --check | --write');
  process.exitCode = 2;
} else {
  main(mode);
}
