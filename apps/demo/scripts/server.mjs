// Serves the built page (dist/) with vite's preview server, plus, when `modelsDir` is given, that folder at
// /user-models/ (open the page with ?models=/user-models/). Used by `pnpm serve`, the bench script and the e2e tests.
import { constants, existsSync, realpathSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';

export const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.json': 'application/json', '.bin': 'application/octet-stream', '.jsonl': 'application/json' };
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Answers a request with a status and a one-line text body (no stack, no paths). */
function answer(response, status, text, headers = {}) {
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(`${text}\n`);
}

/**
 * The first middleware of the server: only GET and HEAD are served (405 otherwise), a URL whose path does not decode
 * is a 400 (rather than a 500 with a stack trace naming the server's folders), and no root serves a dotfile or a
 * dot-folder (`.lock`, `.env`, `.git/…`: 404), whatever its encoding.
 */
function requestGuard(request, response, next) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    answer(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  let path;
  try {
    path = decodeURIComponent((request.url ?? '').split('?')[0]);
  } catch {
    answer(response, 400, 'bad request: the path is not valid percent-encoding');
    return;
  }
  if (path.split(/[/\\]/).some((segment) => segment.startsWith('.'))) {
    answer(response, 404, 'not found');
    return;
  }
  next();
}

/** What a file that cannot be read answers: gone (a run rotating its checkpoints) 404, anything else 500. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP']);

/**
 * A middleware serving the files of `folder` under `prefix`: no directory listings, and every file resolved by its
 * real path and refused unless it lies inside the folder's real path (no `..`, no symbolic link out of it). A file is
 * opened first and then described (its size, that it is a file), so that one removed or swapped meanwhile, or one the
 * server may not read, answers that request alone (404 or 500): the server stays up. A FIFO never blocks it.
 */
function folderMiddleware(prefix, folder) {
  const root = realpathSync(resolve(folder));
  return (request, response, next) => {
    const path = decodeURIComponent((request.url ?? '').split('?')[0]);
    if (!path.startsWith(prefix)) return next();
    serveFile(root, path.slice(prefix.length - 1), request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else answer(response, 500, 'could not read the file');
    });
  };
}

async function serveFile(root, relative, request, response) {
  let file;
  try {
    file = await realpath(resolve(root, `.${relative}`));
  } catch {
    file = null;
  }
  if (file === null || !file.startsWith(root + sep)) {
    answer(response, 404, 'not found');
    return;
  }
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would wait for a writer
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (MISSING.has(error.code)) answer(response, 404, 'not found');
    else answer(response, 500, 'could not read the file');
    return;
  }
  let streaming = false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      answer(response, 404, 'not found');
      return;
    }
    response.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    response.setHeader('Content-Length', stats.size);
    if (request.method === 'HEAD' || stats.size === 0) {
      response.end();
      return;
    }
    // the bytes the header announced, even if the file grows meanwhile (a run appending to metrics.jsonl)
    const stream = handle.createReadStream({ start: 0, end: stats.size - 1 });
    streaming = true;
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  } finally {
    if (!streaming) await handle.close();
  }
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
  const plugins = [
    {
      name: 'vaejs-guard',
      configurePreviewServer(server) {
        server.middlewares.use(requestGuard);
        if (modelsDir) server.middlewares.use(folderMiddleware('/user-models/', modelsDir));
      },
    },
  ];
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
