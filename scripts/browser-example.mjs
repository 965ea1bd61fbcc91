#!/usr/bin/env node
// Runs an example meant for a browser as a user's bundler and browser would (scripts/pack-smoke.mjs calls it for
// examples whose check says `browser`):
//   node scripts/browser-example.mjs <folder> <file>
// bundles <folder>/<file> with esbuild for the browser from <folder>'s node_modules (the packed packages, so the
// "browser" export conditions pick their browser builds), prints which @vaejs builds went in and whether any Node
// built-in did, serves the bundle and tfjs-backend-wasm's .wasm files on 127.0.0.1 (cross-origin isolated), runs it
// in headless Chromium (Debian's /usr/bin/chromium through playwright-core, a fresh profile) and prints what the page
// logs, one line each. Exits 1 when the bundle or the page fails.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const [folder, file] = process.argv.slice(2);
const result = await build({
  entryPoints: [join(folder, file)],
  absWorkingDir: folder,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  write: false,
  metafile: true,
  logLevel: 'silent',
});
const inputs = Object.keys(result.metafile.inputs).map((input) => relative(folder, join(folder, input)));
const builds = [
  ...new Set(
    inputs
      .filter((input) => /node_modules\/@vaejs\//.test(input))
      .map((input) => input.replace(/^.*node_modules\//, '')),
  ),
].sort();
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path));
const nodeBuiltins = imports.filter((path) => builtins.has(path) || path.startsWith('node:'));
console.log(
  `bundled: ${builds.join(', ')}; Node built-ins: ${nodeBuiltins.length === 0 ? 'none' : nodeBuiltins.join(', ')}`,
);

const wasmDir = join(folder, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
const page = `<!doctype html><meta charset="utf-8"><script type="module">
window.__logs = []; const log = console.log; console.log = (...args) => { window.__logs.push(args.join(' ')); log(...args); };
window.__done = import('./example.js').then(() => null, (error) => String(error && error.stack || error));
</script>`;
const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0].slice(1);
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  if (path === '') return void response.setHeader('Content-Type', 'text/html').end(page);
  if (path === 'example.js')
    return void response.setHeader('Content-Type', 'text/javascript').end(result.outputFiles[0].text);
  const wasm = /^wasm\/([\w.-]+\.wasm)$/.exec(path);
  if (wasm) {
    try {
      return void response.setHeader('Content-Type', 'application/wasm').end(readFileSync(join(wasmDir, wasm[1])));
    } catch {}
  }
  response.statusCode = 404;
  response.end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const profile = mkdtempSync(join(tmpdir(), 'vaejs-browser-example-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let failed = nodeBuiltins.length > 0;
try {
  const tab = await context.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const error = await tab.evaluate(() => window.__done);
  for (const line of await tab.evaluate(() => window.__logs)) console.log(line);
  if (error) {
    console.error(error);
    failed = true;
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}
process.exit(failed ? 1 : 0);
