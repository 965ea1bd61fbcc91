// Headless Chromium for tests that must run in a real browser (IndexedDB, WebGL, WebGPU, the browser builds of the
// packages): Debian's /usr/bin/chromium driven by playwright-core, never a downloaded browser, with a fresh profile.
// `runInChromium` bundles a test module with esbuild and runs it in a page of a local, cross-origin isolated origin.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Added to CHROMIUM_ARGS to offer WebGPU: here its adapter is SwiftShader (software), as WebGL's renderer is. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

const root = fileURLToPath(new URL('..', import.meta.url));

/** The workspace packages' browser entries, from their sources (as the demo page bundles them). */
export const BROWSER_SOURCES: Record<string, string> = {
  '@vaejs/core': `${root}packages/core/src/index.ts`,
  '@vaejs/backend': `${root}packages/backend/src/browser.ts`,
  '@vaejs/vae': `${root}packages/vae/src/index.ts`,
  '@vaejs/vqvae': `${root}packages/vqvae/src/index.ts`,
  '@vaejs/pixelcnn-prior': `${root}packages/pixelcnn-prior/src/index.ts`,
  '@vaejs/training': `${root}packages/training/src/index.ts`,
  '@vaejs/datasets': `${root}packages/datasets/src/browser.ts`,
};

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export async function launchChromium(
  options: { args?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'vaejs-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      viewport: options.viewport ?? { width: 1200, height: 900 },
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Options of {@link runInChromium}. */
export interface RunInChromiumOptions {
  /** Extra Chromium flags (WEBGPU_ARGS, say). */
  args?: string[];
  /** Files served beside the bundle: URL path (`wasm/x.wasm`) → file on disk. */
  files?: Record<string, string>;
  /** Passed to the module's default export. */
  input?: unknown;
  /** Milliseconds to wait for the module (default 120 s). */
  timeout?: number;
}

/**
 * Bundles `entry` — a module whose default export is an async function `(input) => result` — for the browser, with
 * the workspace packages' browser entries (`BROWSER_SOURCES`) and the rest from node_modules, serves it on
 * 127.0.0.1 (a secure, cross-origin isolated origin: threads and WebGPU allowed), runs it in headless Chromium and
 * returns its JSON result. An error thrown in the page is rethrown here with its stack.
 */
export async function runInChromium<T>(entry: string, options: RunInChromiumOptions = {}): Promise<T> {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'vaejs-browser-sources',
        setup(builder) {
          builder.onResolve({ filter: /^@vaejs\// }, (args) =>
            BROWSER_SOURCES[args.path] ? { path: BROWSER_SOURCES[args.path] } : undefined,
          );
        },
      },
    ],
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const page = `<!doctype html><meta charset="utf-8"><script type="module">
import run from './test.js';
window.__result = run(${JSON.stringify(options.input ?? null)}).then(
  (value) => ({ ok: true, value }),
  (error) => ({ ok: false, error: String(error && error.stack || error) }));
</script>`;
  const types: Record<string, string> = { '.wasm': 'application/wasm', '.js': 'text/javascript' };
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]?.slice(1) ?? '';
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (path === '' || path === 'index.html') {
      response.setHeader('Content-Type', 'text/html');
      response.end(page);
    } else if (path === 'test.js') {
      response.setHeader('Content-Type', 'text/javascript');
      response.end(code);
    } else if (options.files?.[path]) {
      response.setHeader('Content-Type', types[extname(path)] ?? 'application/octet-stream');
      response.end(readFileSync(options.files[path] as string));
    } else {
      response.statusCode = 404;
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser = await launchChromium({ args: options.args ?? [] });
  try {
    const tab = await browser.context.newPage();
    const logs: string[] = [];
    tab.on('console', (message) => logs.push(message.text()));
    tab.on('pageerror', (error) => logs.push(String(error)));
    await tab.goto(url);
    const result = (await tab.evaluate(
      (timeout) =>
        Promise.race([
          (window as unknown as { __result: Promise<unknown> }).__result,
          new Promise((resolve) =>
            setTimeout(() => resolve({ ok: false, error: `timed out after ${timeout} ms` }), timeout),
          ),
        ]),
      options.timeout ?? 120_000,
    )) as { ok: boolean; value?: T; error?: string };
    if (!result.ok) throw new Error(`in Chromium: ${result.error}\n${logs.join('\n')}`);
    return result.value as T;
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
