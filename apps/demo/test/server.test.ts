// The demo's server, attacked as the adversarial run of 2026-12-01 did: it must serve only the page and the models
// folder, by real path, to GET and HEAD, and answer malformed requests in one line without a stack or a path.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../scripts/server.mjs';
import { ensureBuilt } from './browser';

let server: { url: string; close(): Promise<void> | void };
let outside: string;
let models: string;

/** A raw HTTP request (the path sent as written, no normalisation by a client library). */
function send(
  method: string,
  path: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += String(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ensureBuilt();
  outside = mkdtempSync(join(tmpdir(), 'vaejs-outside-'));
  writeFileSync(join(outside, 'secret.json'), '{"secret": true}');
  models = mkdtempSync(join(tmpdir(), 'vaejs-models-'));
  mkdirSync(join(models, 'run'));
  writeFileSync(join(models, 'run', 'config.json'), '{"ok": true}');
  symlinkSync(join(outside, 'secret.json'), join(models, 'run', 'pw.json'));
  symlinkSync(outside, join(models, 'escape'));
  server = await startDemoServer({ port: 0, modelsDir: models });
});

afterAll(async () => {
  await server?.close();
  rmSync(outside, { recursive: true, force: true });
  rmSync(models, { recursive: true, force: true });
});

describe('the demo server', () => {
  it('serves the models folder to GET and HEAD', async () => {
    const got = await send('GET', '/user-models/run/config.json');
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toEqual({ ok: true });
    const head = await send('HEAD', '/user-models/run/config.json');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses paths out of the models folder: .., encoded .., symbolic links to a file or a folder outside', async () => {
    const attempts = [
      '/user-models/../package.json',
      '/user-models/%2e%2e/%2e%2e/package.json',
      '/user-models/run/pw.json',
      '/user-models/escape/secret.json',
      '/user-models/run/',
    ];
    for (const path of attempts) {
      const got = await send('GET', path);
      expect(got.status, path).toBe(404);
      expect(got.body, path).not.toContain('secret');
    }
  });

  it('answers a malformed escape with 400 in one line, without a stack or a path', async () => {
    const got = await send('GET', '/user-models/%E0%A4%A');
    expect(got.status).toBe(400);
    expect(got.body.trim().split('\n')).toHaveLength(1);
    expect(got.body).not.toMatch(/\/(work|tmp|home|root)\/|at \w+ \(/);
  });

  it('answers methods other than GET and HEAD with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const got = await send(method, '/user-models/run/config.json');
      expect(got.status, method).toBe(405);
      expect(got.headers.allow).toBe('GET, HEAD');
    }
    expect((await send('POST', '/')).status).toBe(405);
  });
});
