// The demo's server as users run it (scripts/serve.mjs, a process of its own), under the faults of the adversarial
// pass of issue 21: a file it may not read (chmod 000, the server run as nobody when the tests run as root), a file
// removed between finding it and reading it (a run rotating its checkpoints in the served folder), a FIFO, a folder
// where a file was asked for. Each answers that request alone (404 or 500, one line); the server stays up for the next.
// Dotfiles and dot-folders (`.lock`, `.env`, `.git/`) are refused under every root.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../scripts/server.mjs';
import { ensureBuilt } from './browser';

let models: string;
const servers: ChildProcess[] = [];

/** A raw GET (the path sent as written). */
function get(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'GET', path, timeout: 10_000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += String(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts `node scripts/serve.mjs` on a free port serving `models` (as nobody when root), and waits for its URL. */
async function serve(options: { preload?: string } = {}): Promise<{ url: string; server: ChildProcess }> {
  const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const preload = options.preload ? ['--import', pathToFileURL(options.preload).href] : [];
  const [command, ...args] = [...asNobody, process.execPath, ...preload, join(DEMO_DIR, 'scripts', 'serve.mjs')];
  const server = spawn(command as string, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', VAEJS_MODELS_DIR: models },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(server);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.mjs printed no URL in 30 s: ${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const match = /vaejs demo: (http:\/\/\S+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    server.stdout?.on('data', read);
    server.stderr?.on('data', read);
    server.on('exit', (code) => reject(new Error(`serve.mjs exited ${code}: ${output}`)));
  });
  return { url, server };
}

beforeAll(() => {
  ensureBuilt();
  models = mkdtempSync(join(tmpdir(), 'vaejs-served-'));
  chmodSync(models, 0o755);
  mkdirSync(join(models, 'run', 'checkpoints'), { recursive: true });
  chmodSync(join(models, 'run'), 0o777); // the preload removes vanishing.json as the server's user
  writeFileSync(join(models, 'run', 'config.json'), '{"ok": true}');
  writeFileSync(join(models, 'run', 'locked.json'), '{"secret": true}');
  chmodSync(join(models, 'run', 'locked.json'), 0o000);
  writeFileSync(join(models, 'run', 'vanishing.json'), '{"gone": "soon"}');
  mkdirSync(join(models, 'run', 'folder.json'));
  execFileSync('mkfifo', [join(models, 'run', 'pipe.json')]);
  for (const dotted of ['.lock', '.env', join('run', '.lock')]) writeFileSync(join(models, dotted), '{"pid": 1}');
  mkdirSync(join(models, '.git'));
  writeFileSync(join(models, '.git', 'config'), '[core]');
}, 240_000);

afterAll(() => {
  for (const server of servers) server.kill('SIGKILL');
  rmSync(models, { recursive: true, force: true });
});

describe('the demo server as a process, under faults', () => {
  it('a file it may not read, one removed before it is read, a FIFO, a folder: that request alone fails', async () => {
    const { url, server } = await serve({ preload: join(import.meta.dirname, 'vanishing-files.mjs') });
    const answers: Record<string, number> = {};
    for (const name of ['locked.json', 'vanishing.json', 'pipe.json', 'folder.json', 'config.json']) {
      answers[name] = (await get(url, `/user-models/run/${name}`)).status;
    }
    expect(answers).toEqual({
      // the server runs as nobody (or as a user that is not root): the 000 file is unreadable to it
      'locked.json': 500,
      'vanishing.json': 404,
      'pipe.json': 404,
      'folder.json': 404,
      'config.json': 200,
    });
    // still up: the next requests are answered, and the process runs
    expect(await get(url, '/user-models/run/config.json')).toEqual({ status: 200, body: '{"ok": true}' });
    expect(server.exitCode).toBeNull();
  });

  it('refuses dotfiles and dot-folders under every root, however the dot is written', async () => {
    const { url } = await serve();
    const paths = [
      '/user-models/.lock',
      '/user-models/.env',
      '/user-models/.git/config',
      '/user-models/run/.lock',
      '/user-models/%2elock',
      '/user-models/run/%2Elock',
      '/user-models/%2egit/config',
      '/.env',
      '/.git/config',
      '/%2eenv',
      '/assets/.hidden',
    ];
    for (const path of paths) {
      const got = await get(url, path);
      expect(got.status, path).toBe(404);
      expect(got.body, path).not.toMatch(/pid|\[core\]/);
    }
    expect((await get(url, '/user-models/run/config.json')).status).toBe(200);
  });
});
