// The browser entry in a real browser (headless Chromium): what setupBackend chooses there and why, and every kernel
// its fast path registers against the stock kernel (browser/kernels.page.ts).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInChromium, WEBGPU_ARGS } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const files = Object.fromEntries(
  ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((name) => [
    `wasm/${name}`,
    join(wasmDir, name),
  ]),
);
const page = fileURLToPath(new URL('browser/kernels.page.ts', import.meta.url));

interface PageResult {
  choice: { name: string; skipped: { name: string; reason: string }[]; summary: string; kernels: string[] };
  results: {
    backend: string;
    kernel: string;
    name: string;
    error: number;
    against: string;
    errorToCpu?: number;
    stockToCpu?: number;
  }[];
  losses: number[];
  threads: number;
}

describe('@vaejs/backend in headless Chromium', () => {
  it('passes over a software WebGL (and no WebGPU adapter) for wasm, and each fast kernel matches the stock one', async () => {
    const result = await runInChromium<PageResult>(page, { files, input: { wasmPaths: 'wasm/' } });
    console.info(`[backend in Chromium] ${result.choice.summary}`);
    expect(result.choice.name).toBe('wasm');
    expect(result.choice.skipped.map((entry) => entry.name)).toEqual(['webgpu', 'webgl']);
    expect(result.choice.skipped[0]?.reason).toMatch(/no adapter|not in this browser/);
    expect(result.choice.skipped[1]?.reason).toMatch(/^software renderer \(.*SwiftShader.*\), slower than wasm/);
    for (const backend of ['wasm', 'cpu']) {
      const registered = result.results.find((entry) => entry.backend === backend && entry.kernel === '(registered)');
      const tested = new Set(
        result.results
          .filter((entry) => entry.backend === backend && entry.kernel !== '(registered)')
          .map((entry) => entry.kernel),
      );
      // every kernel the fast path registers has a case
      expect([...tested].sort()).toEqual((registered?.name.split(',') ?? []).sort());
    }
    for (const entry of result.results.filter((each) => each.kernel !== '(registered)')) {
      expect(entry.error, `${entry.backend} ${entry.kernel} (${entry.name}) against ${entry.against}`).toBeLessThan(
        1e-5,
      );
    }
    expect(
      result.results.find((entry) => entry.kernel === 'Conv2DBackpropFilter' && entry.backend === 'wasm')?.against,
    ).toBe('cpu');
    // the stock wasm kernel's known error with a transposed b and a bias (fixed upstream: then compare with it again)
    const transposed = result.results.find((entry) => entry.name === 'relu(a·bᵀ + bias)' && entry.backend === 'wasm');
    expect(transposed?.stockToCpu).toBeGreaterThan(0.01);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    expect(result.losses.at(-1)).toBeLessThan(result.losses[0] as number);
    expect(result.threads).toBeGreaterThanOrEqual(1);
  });

  it('with WebGPU offered, passes over its software adapter too, saying which', async () => {
    const result = await runInChromium<PageResult>(page, { files, input: { wasmPaths: 'wasm/' }, args: WEBGPU_ARGS });
    console.info(`[backend in Chromium, WebGPU offered] ${result.choice.summary}`);
    expect(result.choice.name).toBe('wasm');
    expect(result.choice.skipped[0]?.reason).toMatch(
      /^software adapter \(.*swiftshader.*\), slower than wasm|no adapter/,
    );
  });
});
