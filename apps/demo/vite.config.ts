import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..', 'packages');
const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * Serves tfjs-backend-wasm's .wasm files at `wasm/` (dev server) and copies them there in the build, so that
 * `setWasmPaths('wasm/')` loads them from the page's own origin, never a CDN.
 */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'vaejs-tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const name = request.url?.split('?')[0]?.match(/\/wasm\/([\w.-]+\.wasm)$/)?.[1];
        if (!name || !WASM_FILES.includes(name)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        createReadStream(join(wasmDir, name)).pipe(response);
      });
    },
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(join(wasmDir, name)) });
      }
    },
  };
}

/** Cross-origin isolation, so that the wasm backend may use threads (SharedArrayBuffer). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  // No SPA fallback: a missing model file must be a 404, not index.html.
  appType: 'mpa',
  resolve: {
    // The workspace libraries from their sources (as in the tests), so the page never runs a stale build; each
    // package's browser entry (src/index.ts: @vaejs/training without its Node file IO, @vaejs/datasets without fs).
    alias: Object.fromEntries(
      ['core', 'vae', 'vqvae', 'pixelcnn-prior', 'training', 'datasets'].map((name) => [
        `@vaejs/${name}`,
        join(packages, name, 'src', name === 'datasets' ? 'browser.ts' : 'index.ts'),
      ]),
    ),
    // One tfjs-core and one tfjs-layers: two copies would mean two engines and two kernel registries.
    dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'],
  },
  plugins: [tfjsWasmFiles()],
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000, reportCompressedSize: false },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
