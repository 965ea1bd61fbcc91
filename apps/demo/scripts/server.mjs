// Serves the built page (dist/) with vite's preview server, plus, when `modelsDir` is given, that folder at
// /user-models/ (open the page with ?models=/user-models/). Used by `pnpm serve`, the bench script and the e2e tests.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';

export const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.json': 'application/json', '.bin': 'application/octet-stream', '.jsonl': 'application/json' };
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** A middleware serving the files of `folder` under `prefix` (GET only, no directory listings, no `..`). */
function folderMiddleware(prefix, folder) {
  const root = resolve(folder);
  return (request, response, next) => {
    const path = decodeURIComponent((request.url ?? '').split('?')[0]);
    if (!path.startsWith(prefix)) return next();
    const file = resolve(root, `.${path.slice(prefix.length - 1)}`);
    if ((file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      response.statusCode = 404;
      response.end('not found');
      return;
    }
    response.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    createReadStream(file).pipe(response);
  };
}

/**
 * Starts the preview server on `host:port` (port 0: a free one). Returns `{ url, close }`.
 * @param options `{ port = 4173, host = '127.0.0.1', modelsDir, outDir = 'dist' }`
 */
export async function startDemoServer(options = {}) {
  const { port = 4173, host = '127.0.0.1', modelsDir, outDir = 'dist' } = options;
  if (!existsSync(join(DEMO_DIR, outDir, 'index.html'))) {
    throw new Error(`no built page in ${join(DEMO_DIR, outDir)}: run 'pnpm --filter @vaejs/demo build' first`);
  }
  if (modelsDir && !existsSync(modelsDir)) throw new Error(`VAEJS_MODELS_DIR: no folder ${modelsDir}`);
  const plugins = modelsDir
    ? [
        {
          name: 'vaejs-user-models',
          configurePreviewServer(server) {
            server.middlewares.use(folderMiddleware('/user-models/', modelsDir));
          },
        },
      ]
    : [];
  const server = await preview({
    root: DEMO_DIR,
    configFile: false,
    logLevel: 'warn',
    appType: 'mpa',
    base: './',
    build: { outDir },
    plugins,
    preview: { port, host, strictPort: port !== 0, headers: ISOLATION_HEADERS, open: false },
  });
  const address = server.httpServer.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}/`;
  return { url, close: () => server.close() };
}
