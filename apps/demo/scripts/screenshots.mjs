// Screenshots of the page for a visual review: every view, the loading, error and empty states and the training
// view, at 1280×800 and 390×844, light and dark, into /work/shots/ (or the folder given). Debian's Chromium through
// playwright-core, as the e2e tests drive it. Builds the page first when dist/ is missing.
//   node scripts/screenshots.mjs [out folder] [--only=<name substring>]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { DEMO_DIR, startDemoServer } from './server.mjs';

const out = resolve(process.argv.find((arg, i) => i > 1 && !arg.startsWith('--')) ?? '/work/shots');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ?? '';
const VIEWS = ['draw', 'reconstruction', 'samples', 'interpolation', 'manifold', 'codemap', 'pixelcnn', 'bench'];
const SIZES = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];

/** name → [query and hash, what to wait for before the picture]. */
const SHOTS = {
  ...Object.fromEntries(VIEWS.map((view) => [view, [`#${view}`, `#view-${view}[data-ready="true"]`]])),
  error: ['?models=/no-such-folder/', 'body[data-ready="true"]'],
  empty: ['?vae=none&vqvae=none#samples', 'body[data-ready="true"]'],
  train: ['?view=train', 'body[data-ready="true"]'],
};

if (!existsSync(join(DEMO_DIR, 'dist', 'index.html'))) {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: DEMO_DIR, stdio: 'inherit' });
}
mkdirSync(out, { recursive: true });
const server = await startDemoServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium',
  args: ARGS,
});
try {
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const colorScheme of ['light', 'dark']) {
      const context = await browser.newContext({ viewport, colorScheme });
      await shoot(context, `loading-${size}-${colorScheme}`, loadingShot);
      for (const [name, [query, ready]] of Object.entries(SHOTS)) {
        await shoot(context, `${name}-${size}-${colorScheme}`, (page, file) =>
          viewShot(page, file, query, ready, name),
        );
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}

async function shoot(context, name, take) {
  if (!name.includes(only)) return;
  const page = await context.newPage();
  try {
    await take(page, join(out, `${name}.png`));
    console.log(`${name}.png`);
  } finally {
    await page.close();
  }
}

async function viewShot(page, file, query, ready, name) {
  await page.goto(`${server.url}${query}`);
  await page.waitForSelector(ready, { state: 'attached', timeout: 120_000 });
  if (name === 'pixelcnn') {
    await page.locator('#pixelcnn-button').click();
    await page.waitForSelector('#view-pixelcnn .body[data-done="true"]', { state: 'attached', timeout: 120_000 });
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
}

/** The page while its models load: the model requests held back until the picture is taken. */
async function loadingShot(page, file) {
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await page.route('**/models/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(server.url);
  await page.waitForSelector('#loading');
  await page.screenshot({ path: file, fullPage: true });
  release();
}
