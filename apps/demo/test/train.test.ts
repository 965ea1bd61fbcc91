// The training view end to end, in headless Chromium: a link with autostart=1 trains a model in a Web Worker while the
// page keeps drawing, as Node trains it; the run is kept in IndexedDB (a reload continues it), downloads as one zip the
// `vaejs` CLI reads, evaluates, samples and resumes, and the model views use it; each kind of bad input is one line.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeZip } from '@vaejs/training';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../scripts/server.mjs';
import { type DemoBrowser, ensureBuilt, startBrowser } from './browser';

const CLI = join(DEMO_DIR, '..', 'trainer', 'dist', 'cli.js');
const MODELS = join(DEMO_DIR, 'public', 'models');

interface Status {
  state: 'training' | 'done' | 'error';
  model: string;
  backend: string | null;
  epoch: number;
  step: number;
  test_loss: number | null;
  images_per_sec: number | null;
  message: string;
  epochs: number;
  saved_epoch: number | null;
  resumed_from: number | null;
  tensors: number | null;
}

let browser: DemoBrowser;
let scratch: string;

/** Records the longest gap between animation frames while steps are being trained (installed before the page loads). */
const FRAME_GAPS = `
  window.__frames = { max: 0, count: 0, last: 0 };
  const tick = (time) => {
    const frames = window.__frames;
    const training = document.getElementById('train-progress')?.textContent?.startsWith('epoch');
    if (training && frames.last > 0) {
      frames.max = Math.max(frames.max, time - frames.last);
      frames.count++;
    }
    frames.last = time;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);`;

async function status(page: Page): Promise<Status> {
  return JSON.parse((await page.locator('[data-testid="train-status"]').textContent()) as string) as Status;
}

/** Waits until the status says done or error, and returns it. */
async function finished(page: Page, timeout = 240_000): Promise<Status> {
  await page.waitForFunction(
    () => /"state":"(done|error)"/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''),
    undefined,
    { timeout },
  );
  return status(page);
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`the vaejs CLI is not built (${CLI}): run pnpm run build first`);
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'vaejs-demo-train-'));
  browser = await startBrowser();
  await browser.context.addInitScript(FRAME_GAPS);
});

afterAll(async () => {
  await browser?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('training in the page (headless Chromium)', () => {
  const mlp = '?view=train&model=vae-mlp&dataset=mnist&limit=4096&epochs=1&batch=128&seed=1&autostart=1';

  it('trains an MLP VAE from a link in a worker, as Node trains it, while the page keeps drawing', async () => {
    const page = await browser.open(mlp);
    const tensors: number[] = [];
    page.on('console', () => {});
    const poll = setInterval(() => {
      void status(page)
        .then((s) => s.tensors !== null && s.state === 'training' && tensors.push(s.tensors))
        .catch(() => {});
    }, 250);
    const done = await finished(page);
    clearInterval(poll);
    expect(done, done.message).toMatchObject({
      state: 'done',
      model: 'vae-mlp',
      epoch: 1,
      step: 32,
      saved_epoch: 1,
      epochs: 1,
    });
    expect(done.backend).toMatch(/^(webgpu|webgl|wasm|cpu)$/);
    expect(done.images_per_sec).toBeGreaterThan(0);
    console.info(
      `[train e2e] MLP VAE, 4096 images: test loss ${done.test_loss?.toFixed(3)}, ${done.images_per_sec?.toFixed(0)} images/s on ${done.backend}`,
    );
    console.info(`[train e2e] ${await page.locator('#train-backend').textContent()}`);
    // the same run in Node, on the wasm fast path
    const run = join(scratch, 'node-vae');
    cli([
      'train',
      '--model',
      'vae',
      '--arch',
      'mlp',
      '--dataset',
      'mnist',
      '--limit',
      '4096',
      '--epochs',
      '1',
      '--batch-size',
      '128',
      '--seed',
      '1',
      '--no-native',
      '--out',
      run,
    ]);
    const node = JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')[0] as string);
    console.info(
      `[train e2e] Node (--no-native): test loss ${node.test_loss.toFixed(3)}, ${node.images_per_sec.toFixed(0)} images/s`,
    );
    expect(Math.abs((done.test_loss as number) - node.test_loss)).toBeLessThan(0.5);
    // the main thread kept drawing: every gap between animation frames while the worker trained
    const frames = (await page.evaluate(
      () => (window as unknown as { __frames: { max: number; count: number } }).__frames,
    )) as {
      max: number;
      count: number;
    };
    console.info(`[train e2e] ${frames.count} frames while training, longest gap ${frames.max.toFixed(0)} ms`);
    expect(frames.count).toBeGreaterThan(20);
    expect(frames.max).toBeLessThan(250);
    // no tensor piles up from step to step
    expect(new Set(tensors.slice(1)).size, `tensors per step ${tensors.join(',')}`).toBeLessThanOrEqual(1);
    const losses = await page.evaluate(() => window.__vaejsTraining?.losses() ?? []);
    expect(losses).toHaveLength(32);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) * 0.7);
    for (const id of ['train-picture-reconstructions', 'train-picture-samples']) {
      expect(await page.locator(`#${id}`).getAttribute('data-epoch'), id).toBe('1');
    }
    await page.close();
  });

  it('downloads the run as one zip that vaejs eval scores the same, vaejs sample draws from and vaejs train --resume continues', async () => {
    const page = await browser.open('?view=train&model=vae-mlp&limit=4096&epochs=1&batch=128&seed=1');
    const kept = await status(page).catch(() => null);
    expect(kept).toBeNull(); // no autostart: nothing runs
    await page.locator('#train-kept-runs li[data-run="vae-mlp"] button.download').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#train-kept-runs li[data-run="vae-mlp"] button.download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('vae-mlp.zip');
    const archive = join(scratch, 'vae-mlp.zip');
    await download.saveAs(archive);
    const keptLoss = Number((await page.locator('#train-kept').textContent())?.match(/test loss ([\d.]+)/)?.[1]);
    const report = JSON.parse(cli(['eval', '--run', archive, '--batch-size', '500', '--json']));
    expect(report).toMatchObject({
      model: 'vae',
      epoch: 1,
      examples: 10_000,
      checkpoint: `${archive}/checkpoints/epoch-0001/`,
    });
    expect(Math.abs(report.loss - keptLoss)).toBeLessThan(0.05);
    const grid = join(scratch, 'samples.png');
    cli(['sample', '--run', archive, '-n', '16', '--out', grid]);
    expect(readFileSync(grid).subarray(1, 4).toString()).toBe('PNG');
    execFileSync(process.execPath, [CLI, 'train', '--resume', '--epochs', '2', '--out', archive, '--no-native'], {
      stdio: 'pipe',
    });
    const resumed = readFileSync(join(scratch, 'vae-mlp', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(resumed.map((line) => JSON.parse(line).epoch)).toEqual([1, 2]);
    await page.close();
  });

  it('lets the model views use the model the page trained', async () => {
    const page = await browser.open('?vae=idb:vae-mlp&vqvae=none&pixelcnn=none#reconstruction');
    expect(await page.locator('#errors li').allTextContents()).toEqual([]);
    expect(await page.locator('#model-list [data-role="vae"]').textContent()).toMatch(
      /latentDim 20, epoch 1 \(indexeddb:vae-mlp\/checkpoints\/epoch-0001\/\)/,
    );
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-reconstruction .body')?.dataset.shown === '3',
    );
    await page.close();
  });

  it('continues the kept run after a reload, where it stopped', async () => {
    const query = '?view=train&model=vae-mlp&limit=2048&testLimit=500&epochs=3&batch=128&seed=2&autostart=1';
    const page = await browser.open(query);
    await page.waitForFunction(() =>
      /"saved_epoch":[12]/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''),
    );
    await page.locator('#train-pause').click();
    await page.waitForFunction(() =>
      /"message":"paused"/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''),
    );
    const paused = await status(page);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const done = await finished(page);
    expect(done, done.message).toMatchObject({ state: 'done', epoch: 3, step: 48, resumed_from: paused.saved_epoch });
    expect(await page.locator('#train-epochs tr[data-epoch]').count()).toBe(3);
    await page.close();
  });

  it('trains a conv VAE, a VQ-VAE and then a prior over its codes, each loss falling', async () => {
    const short = 'limit=1024&testLimit=200&epochs=1&batch=32&seed=1&autostart=1';
    for (const model of ['vae-conv', 'vqvae', 'prior']) {
      const page = await browser.open(`?view=train&model=${model}&${short}`);
      const done = await finished(page);
      expect(done, `${model}: ${done.message}`).toMatchObject({ state: 'done', model, epoch: 1, step: 32 });
      const losses = await page.evaluate(() => window.__vaejsTraining?.losses() ?? []);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      expect(mean(losses.slice(-5)), `${model} losses ${losses.map((v) => v.toFixed(2)).join(' ')}`).toBeLessThan(
        mean(losses.slice(0, 5)),
      );
      console.info(
        `[train e2e] ${model}: loss ${losses[0]?.toFixed(3)} → ${losses.at(-1)?.toFixed(3)}, test ${done.test_loss?.toFixed(3)}, ${done.images_per_sec?.toFixed(0)} items/s`,
      );
      if (model === 'vqvae')
        expect(Number(await page.locator('#train-picture-codebook-usage').getAttribute('data-used'))).toBeGreaterThan(
          1,
        );
      if (model === 'prior') expect(await page.locator('#train-picture-samples').getAttribute('data-epoch')).toBe('1');
      await page.close();
    }
  });
});

describe('bad input in the training view: one line on the page and in the status, nothing kept overwritten', () => {
  const errorsOf = async (page: Page) => page.locator('#errors li').allTextContents();

  it('a bad URL value', async () => {
    const page = await browser.open('?view=train&model=gan&autostart=1');
    expect(await errorsOf(page)).toEqual(["page: expected ?model= one of vae-mlp, vae-conv, vqvae, prior, got 'gan'."]);
    expect(await status(page)).toMatchObject({
      state: 'error',
      message: "page: expected ?model= one of vae-mlp, vae-conv, vqvae, prior, got 'gan'.",
    });
    await page.close();
    const other = await browser.open('?view=train&lr=fast');
    expect(await errorsOf(other)).toEqual(["page: expected ?lr= a number in [1e-7, 10], got 'fast'."]);
    await other.close();
  });

  it('a data set that does not load, and one this page was built without', async () => {
    const page = await browser.context.newPage();
    await page.route('**/data/mnist/train-images-idx3-ubyte.gz', (route) =>
      route.fulfill({ status: 404, body: 'gone' }),
    );
    await page.goto(`${browser.url}?view=train&model=vae-mlp&limit=512&autostart=1`);
    const failed = await finished(page);
    expect(failed.state).toBe('error');
    expect(failed.message).toMatch(
      /^fetchDataset: expected http:\/\/[^ ]+\/data\/mnist\/train-images-idx3-ubyte\.gz to load, got HTTP 404 Not Found\.$/,
    );
    expect(await errorsOf(page)).toEqual([failed.message]);
    await page.close();
    const index = JSON.parse(readFileSync(join(DEMO_DIR, 'dist', 'data', 'index.json'), 'utf8'));
    if (index['fashion-mnist'] === null) {
      const fashion = await browser.open('?view=train&model=vae-mlp&dataset=fashion-mnist&limit=512&autostart=1');
      const missing = await finished(fashion);
      expect(missing.message).toMatch(
        /^page: expected \?dataset=fashion-mnist a data set this page serves, got none \(Fashion-MNIST was not in \/usr\/share\/datasets\/fashion-mnist when this page was built: .+\)\.$/,
      );
      await fashion.close();
    }
  });

  /** The line that says what is kept for the view's model, once the page has read it. */
  const keptLine = async (page: Page) => {
    await page.waitForFunction(() => (document.getElementById('train-kept')?.textContent ?? '') !== '');
    return page.locator('#train-kept').textContent();
  };

  it('NaN losses stop the run with the NaN guard line, and the kept run stays', async () => {
    const before = await browser.open('?view=train&model=vae-mlp');
    const kept = await keptLine(before);
    await before.close();
    const page = await browser.open(
      '?view=train&model=vae-mlp&limit=1024&testLimit=200&epochs=1&batch=32&seed=1&lr=10&autostart=1',
    );
    const failed = await finished(page);
    expect(failed.state).toBe('error');
    expect(failed.message).toMatch(
      /^fit: expected a finite loss while training, got (NaN|Infinity) at epoch 1, step \d+ \(.+\); no checkpoint was written yet: lower the learning rate and start again\.$/,
    );
    expect(await errorsOf(page)).toEqual([failed.message]);
    // the run kept before is still there, as it was
    expect((await keptLine(page))?.replace(/, trained with other settings.*$/, '')).toBe(
      kept?.replace(/, trained with other settings.*$/, ''),
    );
    await page.close();
  });

  it('a backend that dies mid-run (a lost WebGL context): the run stops, the kept run stays', async () => {
    const query = 'model=vae-mlp&limit=2048&testLimit=200&epochs=1&batch=32&seed=3';
    const before = await browser.open(`?view=train&${query}`);
    const kept = await keptLine(before);
    await before.close();
    const page = await browser.open(`?view=train&${query}&backend=webgl&autostart=1`);
    await page.waitForFunction(
      () => /"step":([3-9]|\d\d)/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''),
      undefined,
      { timeout: 90_000 },
    );
    const training = await status(page);
    if (training.backend !== 'webgl') {
      console.info(`[train e2e] no WebGL in this browser (${training.backend}): no context to lose, not run`);
      return;
    }
    await page.evaluate(() => window.__vaejsTraining?.simulate('lose-context'));
    const failed = await finished(page);
    expect(failed.state).toBe('error');
    expect(failed.message).toMatch(
      /^webgl: the webgl context was lost; training stopped, the last checkpoint kept is unchanged$/,
    );
    expect(await errorsOf(page)).toEqual([failed.message]);
    expect((await keptLine(page))?.replace(/, trained with other settings.*$/, '')).toBe(
      kept?.replace(/, trained with other settings.*$/, ''),
    );
    await page.close();
  });

  it('a kept run whose record is damaged is named and left as it is', async () => {
    const page = await browser.open('?view=train&model=vqvae');
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('vaejs-runs', 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      await new Promise<void>((resolve, reject) => {
        const transaction = db.transaction('runs', 'readwrite');
        transaction
          .objectStore('runs')
          .put({ format: 'vaejs-run-files', version: 1, files: [['../escape.json', new Uint8Array(3)]] }, 'vqvae');
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error);
      });
      db.close();
    });
    await page.close();
    const again = await browser.open('?view=train&model=vqvae&limit=512&epochs=1&autostart=1');
    const failed = await finished(again);
    expect(failed.state).toBe('error');
    expect(failed.message).toMatch(
      /^the kept vqvae run does not read: checkpoint: expected indexeddb:vqvae\/ path a relative path inside the folder .*got '\.\.\/escape\.json'\.; it is left as it is/,
    );
    expect(await errorsOf(again)).toHaveLength(1);
    await again.close();
  });

  it('a dropped folder or zip that is not a vaejs run, or holds NaN weights, is refused; one the CLI wrote is kept', async () => {
    const page = await browser.open('?view=train&model=vae-mlp');
    const kept = await keptLine(page);
    const foreign = join(scratch, 'foreign.zip');
    writeFileSync(foreign, writeZip(new Map([['model.json', new TextEncoder().encode('{"modelTopology": {}}')]])));
    await page.locator('#train-import-zip').setInputFiles(foreign);
    await page.waitForFunction(() => document.getElementById('train-import-result')?.className === 'message error');
    expect(await page.locator('#train-import-result').textContent()).toBe(
      'foreign.zip: expected foreign.zip/ a run folder with a checkpoint or a checkpoint folder, got neither.',
    );
    expect(await status(page)).toMatchObject({ state: 'error' });
    const nan = join(scratch, 'nan-vae');
    cpSync(join(MODELS, 'vae'), nan, { recursive: true });
    const weights = readFileSync(join(nan, 'decoder', 'weights.bin'));
    weights.writeFloatLE(Number.NaN, 8);
    writeFileSync(join(nan, 'decoder', 'weights.bin'), weights);
    await page.locator('#train-import-folder').setInputFiles(nan);
    await page.waitForFunction(() =>
      /finite values/.test(document.getElementById('train-import-result')?.textContent ?? ''),
    );
    expect(await page.locator('#train-import-result').textContent()).toMatch(
      /expected part 'decoder' weight '.+' finite values, got NaN at 2\./,
    );
    expect(await keptLine(page)).toBe(kept);
    // dropped on the page: the same foreign zip gets the same line; a zip of a checkpoint folder the CLI wrote is kept
    const dropZip = async (name: string, bytes: Uint8Array) => {
      await page.evaluate(
        ([fileName, base64]) => {
          const transfer = new DataTransfer();
          const data = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
          transfer.items.add(new File([data], fileName, { type: 'application/zip' }));
          const target = document.getElementById('train-drop') as HTMLElement;
          target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
          target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        },
        [name, Buffer.from(bytes).toString('base64')] as const,
      );
    };
    await dropZip('foreign.zip', readFileSync(foreign));
    await page.waitForFunction(() =>
      /^foreign\.zip: /.test(document.getElementById('train-import-result')?.textContent ?? ''),
    );
    expect(await page.locator('#train-import-result').textContent()).toBe(
      'foreign.zip: expected foreign.zip/ a run folder with a checkpoint or a checkpoint folder, got neither.',
    );
    expect(await keptLine(page)).toBe(kept);
    const folderFiles = (folder: string, prefix = ''): [string, Uint8Array][] =>
      readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry): [string, Uint8Array][] => {
        const path = `${prefix}${entry.name}`;
        return entry.isDirectory() ? folderFiles(folder, `${path}/`) : [[path, readFileSync(join(folder, path))]];
      });
    await dropZip('vae-2d.zip', writeZip(new Map(folderFiles(join(MODELS, 'vae')))));
    await page.waitForFunction(() => /^kept /.test(document.getElementById('train-import-result')?.textContent ?? ''));
    expect(await page.locator('#train-import-result').textContent()).toMatch(
      /^kept vae-2d\.zip\/ as the vae-mlp run \(epoch \d+\)$/,
    );
    // a checkpoint folder the CLI wrote (the page's own 2-D VAE), picked, is kept as the vae-mlp run
    await page.locator('#train-import-folder').setInputFiles(join(MODELS, 'vae'));
    await page.waitForFunction(() =>
      /^kept vae\//.test(document.getElementById('train-import-result')?.textContent ?? ''),
    );
    expect(await page.locator('#train-import-result').textContent()).toMatch(
      /^kept vae\/ as the vae-mlp run \(epoch \d+\)$/,
    );
    await page.close();
  });
});
