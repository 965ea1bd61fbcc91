// `pnpm bench`: the page in headless Chromium (Debian's /usr/bin/chromium via playwright-core): how soon its first view
// is ready from a cold cache, then its own benchmark: the time to decode the 20×20 manifold grid and to sample 16
// PixelCNN code maps, on every backend the browser offers. Prints a table and one JSON line. Builds the page first when dist/ is missing (`vite build`).
// Env: VAEJS_CHROMIUM (default /usr/bin/chromium), VAEJS_BENCH_GPU_FLAGS (extra Chromium flags, e.g. to try a GPU).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { DEMO_DIR, startDemoServer } from './server.mjs';

if (!existsSync(join(DEMO_DIR, 'dist', 'index.html'))) {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: DEMO_DIR, stdio: 'inherit' });
}
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  ...(process.env.VAEJS_BENCH_GPU_FLAGS ?? '').split(' ').filter(Boolean),
];
const server = await startDemoServer({ port: 0 });
const profile = mkdtempSync(join(tmpdir(), 'vaejs-demo-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args,
});
try {
  // first view: the best of three cold loads (HTTP cache cleared before each); issue 23's target is 2.5 s
  const firstView = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const cold = await context.newPage();
    await (await context.newCDPSession(cold)).send('Network.clearBrowserCache');
    await cold.goto(server.url);
    await cold.waitForSelector('#view-draw[data-ready="true"]', { timeout: 120_000 });
    firstView.push(Number(await cold.evaluate(() => document.body.dataset.firstViewMs)));
    await cold.close();
  }
  console.log(
    `first view (draw) ready, best of 3 cold loads: ${Math.min(...firstView)} ms (${firstView.join(', ')}; target 2,500 ms)`,
  );
  const page = await context.newPage();
  await page.goto(`${server.url}?bench=all#bench`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
  const detail = await page.locator('#backend-detail').textContent();
  await page.waitForFunction(() => document.querySelector('#view-bench .body')?.dataset.done === 'true', undefined, {
    timeout: 600_000,
  });
  const rows = await page.evaluate(() => window.__vaejsBench);
  const errors = await page.locator('#errors li').allTextContents();
  console.log(`chromium flags: ${args.join(' ')}`);
  console.log(detail);
  console.log('backend   grid 20×20 decode (ms)   16 PixelCNN maps (ms)');
  for (const row of rows) {
    const cell = (value, width) => (value === null ? '–' : value.toFixed(1)).padStart(width);
    console.log(
      `${row.backend.padEnd(8)}${cell(row.gridMs, 24)}${cell(row.pixelcnnMs, 24)}${row.skipped ? `   skipped: ${row.skipped}` : ''}`,
    );
  }
  if (errors.length > 0) console.log(`page errors: ${errors.join(' | ')}`);
  console.log(JSON.stringify({ detail, rows }));
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
