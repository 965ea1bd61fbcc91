// Helpers of the end-to-end tests: build the page when its sources are newer than dist/, serve it, drive Debian's
// Chromium with playwright-core (never a downloaded browser), and load the same checkpoints in Node.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { DEMO_DIR, startDemoServer } from '../scripts/server.mjs';

// Debian's Chromium and its flags, defined once for every browser test of the repository.
export { CHROMIUM, CHROMIUM_ARGS } from '@vaejs/testing';

import { CHROMIUM, CHROMIUM_ARGS } from '@vaejs/testing';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path)
      .filter((name) => name !== 'node_modules' && name !== 'dist' && !name.endsWith('.test.ts'))
      .map((name) => newestMtime(join(path, name))),
  );
}

/** Builds the page with vite unless dist/ is newer than everything it is built from. */
export function ensureBuilt(): void {
  const built = existsSync(join(DEMO_DIR, 'dist', 'index.html'))
    ? statSync(join(DEMO_DIR, 'dist', 'index.html')).mtimeMs
    : 0;
  const packages = join(DEMO_DIR, '..', '..', 'packages');
  const sources = [
    join(DEMO_DIR, 'src'),
    join(DEMO_DIR, 'public'),
    join(DEMO_DIR, 'index.html'),
    join(DEMO_DIR, 'vite.config.ts'),
    ...['core', 'backend', 'vae', 'vqvae', 'pixelcnn-prior', 'training', 'datasets'].map((name) =>
      join(packages, name, 'src'),
    ),
  ];
  if (Math.max(...sources.map(newestMtime)) <= built) return;
  const require = createRequire(join(DEMO_DIR, 'package.json'));
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: DEMO_DIR, stdio: 'inherit' });
}

/** A served page and a browser on it; `close()` stops both and removes the profile. */
export interface DemoBrowser {
  url: string;
  context: BrowserContext;
  open(query?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(modelsDir?: string): Promise<DemoBrowser> {
  const server = await startDemoServer({ port: 0, modelsDir });
  const profile = mkdtempSync(join(tmpdir(), 'vaejs-demo-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
    });
  } catch (error) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(60_000);
  return {
    url: server.url,
    context,
    async open(query = '') {
      const page = await context.newPage();
      await page.goto(`${server.url}${query}`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 60_000 });
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a view's tab (the page builds a view the first time it is shown) and waits until its first pictures are drawn. */
export async function showView(page: Page, id: string): Promise<void> {
  await page.locator(`#tab-${id}`).click();
  await page.waitForSelector(`#view-${id}[data-ready="true"]`, { state: 'visible', timeout: 60_000 });
}

/** The canvas's pixels as grey levels (R channel), with its size. */
export async function canvasGreys(page: Page, id: string): Promise<{ width: number; height: number; greys: number[] }> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      canvas.width,
      canvas.height,
    ).data;
    const greys: number[] = [];
    for (let i = 0; i < data.length; i += 4) greys.push(data[i] as number);
    return { width: canvas.width, height: canvas.height, greys };
  }, id);
}

/** Waits until the canvas has been redrawn past `version` (its data-version). */
export async function waitForRedraw(page: Page, id: string, version: number): Promise<void> {
  await page.waitForFunction(
    ([canvasId, seen]) => Number(document.getElementById(canvasId as string)?.dataset.version ?? 0) > (seen as number),
    [id, version] as const,
    { timeout: 60_000 },
  );
}

export async function canvasVersion(page: Page, id: string): Promise<number> {
  return page.evaluate((canvasId) => Number(document.getElementById(canvasId)?.dataset.version ?? 0), id);
}

/** A tfjs IOHandler reading `<dir>/model.json` + its weight files, for loading the page's checkpoints in Node. */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = readFileSync(join(dir, path));
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
          }),
        );
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Reads a checkpoint folder's manifest `<kind>.json`. */
export function readManifest(dir: string, kind: string): unknown {
  return JSON.parse(readFileSync(join(dir, `${kind}.json`), 'utf8'));
}
