// Training speed in the page: images/s of the demo's training view (fit in a Web Worker) in headless Chromium, per
// backend — wasm with @vaejs/backend's fast kernels, WebGL, WebGPU where Chromium offers an adapter, cpu — for the MLP
// VAE and the conv VAE at batch 128, side by side with Node in the same run (`vaejs train` on the wasm fast path,
// --no-native, and with the native kernels). Then a full-MNIST MLP VAE epoch in the page (the goal: under a minute)
// and the worker's tensor count over its steps (two epochs, 938 steps: it must stay flat).
// Run after `pnpm build`: node benchmarks/browser/training-speed.bench.mjs [--only=mlp|conv] [--full=false]
// Each browser configuration runs in a fresh profile (no kept run to continue). The images/s are fit's own figure for
// the epoch (training steps only, the first steps — and on GPUs their shader compilation — included).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEMO_DIR, startDemoServer } from '../../apps/demo/scripts/server.mjs';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [key, value] = a.slice(2).split('=');
      return [key, value ?? 'true'];
    }),
);
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', '..', 'apps', 'trainer', 'dist', 'cli.js');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // offers WebGPU: without it headless Chromium has no adapter here; with it, SwiftShader's (software)
  '--enable-unsafe-webgpu',
];

if (!existsSync(join(DEMO_DIR, 'dist', 'index.html'))) {
  throw new Error(`the demo page is not built (${join(DEMO_DIR, 'dist')}): run pnpm run build first`);
}
if (!existsSync(CLI)) throw new Error(`the vaejs CLI is not built (${CLI}): run pnpm run build first`);

const server = await startDemoServer({ port: 0 });

/** One run of the training view in a fresh profile: its last status, the tensors seen at steps, the wall time. */
async function inPage(query, timeout = 900_000) {
  const profile = mkdtempSync(join(os.tmpdir(), 'vaejs-bench-train-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${server.url}?view=train&${query}&autostart=1`);
    const tensors = [];
    let status = null;
    while (performance.now() - started < timeout) {
      const text = await page
        .locator('[data-testid="train-status"]')
        .textContent()
        .catch(() => null);
      status = text ? JSON.parse(text) : null;
      if (status?.state === 'training' && status.tensors !== null && status.step > 0) tensors.push(status.tensors);
      if (status && status.state !== 'training') break;
      await page.waitForTimeout(200);
    }
    const seconds = (performance.now() - started) / 1000;
    const backendLine = await page.locator('#train-backend').textContent();
    const epochs = await page
      .locator('#train-epochs tr[data-epoch]')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].map((cell) => Number(cell.textContent))),
      );
    return { status, tensors, seconds, backendLine, epochs };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The same run in Node with the CLI: its images/s, from metrics.jsonl. */
function inNode(model, limit, native) {
  const out = mkdtempSync(join(os.tmpdir(), 'vaejs-bench-node-'));
  try {
    const flags = [
      '--model',
      'vae',
      '--arch',
      model,
      '--dataset',
      'mnist',
      '--limit',
      String(limit),
      '--test-limit',
      '500',
    ];
    const common = ['--epochs', '1', '--batch-size', '128', '--seed', '1', '--out', join(out, 'run')];
    const result = spawnSync(
      process.execPath,
      [CLI, 'train', ...flags, ...common, native ? '--native' : '--no-native'],
      {
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(result.stderr);
    const stderr = result.stderr;
    const record = JSON.parse(
      readFileSync(join(out, 'run', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')[0],
    );
    return { imagesPerSec: record.images_per_sec, backend: record.backend, testLoss: record.test_loss, stderr };
  } catch (error) {
    return {
      imagesPerSec: null,
      backend: native ? 'native' : 'wasm-fast',
      error: String(error.message ?? error).split('\n')[0],
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `machine: ${cpu}, ${os.cpus().length} logical cores; Chromium ${execFileSync(process.env.VAEJS_CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim()}`,
);
const rows = [];
const models = args.only ? [args.only] : ['mlp', 'conv'];
for (const model of models) {
  // enough steps to pass the warm-up on wasm; fewer on the GPU backends, which are drawn in software here
  const limits =
    model === 'mlp'
      ? { wasm: 16_384, webgl: 4096, webgpu: 4096, cpu: 2048 }
      : { wasm: 4096, webgl: 512, webgpu: 512, cpu: 512 };
  for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu']) {
    const query = `model=vae-${model}&limit=${limits[backend]}&testLimit=500&epochs=1&batch=128&seed=1&backend=${backend}`;
    const run = await inPage(query);
    const ok = run.status?.state === 'done';
    rows.push({
      model,
      where: `page, ${backend}`,
      images: limits[backend],
      imagesPerSec: ok ? run.status.images_per_sec : null,
      testLoss: ok ? run.status.test_loss : null,
      note: ok ? (run.backendLine ?? '').replace(/^backend: /, '').slice(0, 140) : (run.status?.message ?? 'no status'),
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
  for (const native of [false, true]) {
    const node = inNode(model, limits.wasm, native);
    rows.push({
      model,
      where: `Node, ${native ? 'native kernels' : 'wasm fast kernels (--no-native)'}`,
      images: limits.wasm,
      imagesPerSec: node.imagesPerSec,
      testLoss: node.testLoss ?? null,
      note: node.error ?? (node.stderr.split('\n').find((line) => line.startsWith('backend:')) ?? '').slice(0, 140),
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
}
console.log('\nmodel  where                                   images   images/s   test loss');
for (const row of rows) {
  const speed = row.imagesPerSec === null ? '–' : row.imagesPerSec.toFixed(0);
  const loss = row.testLoss === null ? '–' : row.testLoss.toFixed(2);
  console.log(
    `${row.model.padEnd(6)} ${row.where.padEnd(40)}${String(row.images).padStart(6)} ${speed.padStart(10)} ${loss.padStart(11)}`,
  );
}
for (const model of models) {
  const page = rows.find((row) => row.model === model && row.where === 'page, wasm')?.imagesPerSec;
  const node = rows.find((row) => row.model === model && row.where.startsWith('Node, wasm'))?.imagesPerSec;
  if (page && node) console.log(`${model}: page wasm / Node wasm fast path = ${(page / node).toFixed(2)} (goal ≥ 0.8)`);
}

let full = null;
if (args.full !== 'false') {
  // a full-MNIST MLP VAE epoch in the page, twice (938 steps): seconds per epoch, and the worker's tensors at each step
  const run = await inPage('model=vae-mlp&limit=0&testLimit=0&epochs=2&batch=128&seed=1&backend=wasm');
  const counts = [...new Set(run.tensors)];
  full = {
    state: run.status?.state,
    steps: run.status?.step,
    epochSeconds: run.epochs.map((row) => row[4]),
    imagesPerSec: run.epochs.map((row) => row[3]),
    testLoss: run.status?.test_loss,
    wallSeconds: run.seconds,
    tensorCountsSeen: counts,
    tensorSamples: run.tensors.length,
  };
  console.log(
    `\nfull MNIST MLP VAE in the page (wasm): epochs of ${full.epochSeconds.join(' s, ')} s (goal < 60 s), ${full.imagesPerSec.join(', ')} images/s, test loss ${full.testLoss?.toFixed(2)}`,
  );
  console.log(
    `worker tensors over ${full.steps} steps (${full.tensorSamples} samples): ${counts.join(', ')} ${counts.length === 1 ? '(flat)' : '(NOT flat)'}; wall ${full.wallSeconds.toFixed(0)} s`,
  );
}
console.log(JSON.stringify({ cpu, cores: os.cpus().length, rows, full }));
await server.close();
