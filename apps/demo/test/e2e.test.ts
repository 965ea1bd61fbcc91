// End to end: the built page in headless Chromium (Debian's /usr/bin/chromium through playwright-core) against the
// same checkpoints loaded here in Node on the cpu backend. Canvases hold one pixel per image pixel, so the page's
// pictures are compared pixel by pixel with what Node computes (grey levels 0…255, within a small tolerance for the
// browser backend's float arithmetic).
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadPixelCnn, type PixelCnn } from '@vaejs/pixelcnn-prior';
import { loadVae, type Vae } from '@vaejs/vae';
import { loadVqVae, type VqVae } from '@vaejs/vqvae';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../scripts/server.mjs';
import { greyLevels, maxAbsDifference, tileImages } from '../src/pixels';
import { parseTestSet, type TestSet, testImages } from '../src/test-set';
import {
  canvasGreys,
  canvasVersion,
  type DemoBrowser,
  ensureBuilt,
  fileHandler,
  readManifest,
  showView,
  startBrowser,
  waitForRedraw,
} from './browser';

const MODELS = join(DEMO_DIR, 'public', 'models');
/** Largest grey-level difference allowed between the page (webgl/wasm) and Node (cpu): float rounding only. */
const TOLERANCE = 2;

let browser: DemoBrowser;
let page: Page;
let userModels: string;
let testSet: TestSet;
let vae: Vae;
let vqvae: VqVae;
let prior: PixelCnn;

/** What the page draws for images float32 [n, h, w, c]: the same tiling, from Node's numbers. */
async function expectedGreys(images: tf.Tensor, cols: number, gap = 0): Promise<number[]> {
  const values = await images.data();
  const shape = images.shape as [number, number, number, number];
  images.dispose();
  return greyLevels(tileImages(values, shape, cols, gap));
}

async function expectCanvas(id: string, images: tf.Tensor, cols: number, gap = 0, on: Page = page): Promise<void> {
  const expected = await expectedGreys(images, cols, gap);
  const { greys } = await canvasGreys(on, id);
  expect(greys.length, `${id} pixel count`).toBe(expected.length);
  expect(maxAbsDifference(greys, expected), `${id}: largest grey-level difference from Node`).toBeLessThanOrEqual(
    TOLERANCE,
  );
}

beforeAll(async () => {
  ensureBuilt();
  testSet = parseTestSet(new Uint8Array(readFileSync(join(MODELS, 'test-images.bin'))).buffer);
  const io = (kind: string) => (part: string) => fileHandler(join(MODELS, kind, part));
  vae = await loadVae(readManifest(join(MODELS, 'vae'), 'vae'), io('vae'));
  vqvae = await loadVqVae(readManifest(join(MODELS, 'vqvae'), 'vqvae'), io('vqvae'));
  prior = await loadPixelCnn(readManifest(join(MODELS, 'pixelcnn'), 'pixelcnn'), io('pixelcnn'));
  // A folder of broken models, served at /user-models/ as VAEJS_MODELS_DIR would be.
  userModels = mkdtempSync(join(tmpdir(), 'vaejs-demo-models-'));
  cpSync(join(MODELS, 'vae'), join(userModels, 'truncated'), { recursive: true });
  truncateSync(join(userModels, 'truncated', 'decoder', 'weights.bin'), 1000);
  cpSync(join(MODELS, 'vae'), join(userModels, 'bad-json'), { recursive: true });
  writeFileSync(join(userModels, 'bad-json', 'encoder', 'model.json'), '{"modelTopology": ');
  cpSync(join(MODELS, 'vae'), join(userModels, 'run', 'checkpoints', 'epoch-0007'), { recursive: true });
  writeFileSync(join(userModels, 'run', 'checkpoints', 'latest.json'), '{"checkpoint":"epoch-0007"}');
  copyFileSync(join(MODELS, 'vae', 'vae.json'), join(userModels, 'not-images.bin'));
  // Checkpoints that steer reads outside themselves or hold bad weights (issue 14): a latest.json naming a folder
  // outside the run (a loadable VAE is there, so following it would succeed), a weight path leaving the part's
  // folder, a weights.bin with bytes appended, NaN weights.
  cpSync(join(MODELS, 'vae'), join(userModels, 'x'), { recursive: true });
  cpSync(join(MODELS, 'vae'), join(userModels, 'escape', 'checkpoints', 'epoch-0001'), { recursive: true });
  writeFileSync(join(userModels, 'escape', 'checkpoints', 'latest.json'), '{"checkpoint":"../../x"}');
  cpSync(join(MODELS, 'vqvae'), join(userModels, 'weight-path'), { recursive: true });
  const decoderJson = join(userModels, 'weight-path', 'decoder', 'model.json');
  const tampered = JSON.parse(readFileSync(decoderJson, 'utf8')) as tf.io.ModelJSON;
  (tampered.weightsManifest[0] as { paths: string[] }).paths = ['../../../x'];
  writeFileSync(decoderJson, JSON.stringify(tampered));
  cpSync(join(MODELS, 'vae'), join(userModels, 'appended'), { recursive: true });
  appendFileSync(join(userModels, 'appended', 'decoder', 'weights.bin'), Buffer.alloc(5000, 7));
  cpSync(join(MODELS, 'pixelcnn'), join(userModels, 'nan'), { recursive: true });
  const nanWeights = readFileSync(join(userModels, 'nan', 'network', 'weights.bin'));
  nanWeights.writeFloatLE(Number.NaN, 0);
  writeFileSync(join(userModels, 'nan', 'network', 'weights.bin'), nanWeights);
  browser = await startBrowser(userModels);
  page = await browser.open();
});

afterAll(async () => {
  await browser?.close();
  for (const model of [vae, vqvae, prior]) model?.dispose();
  if (userModels) rmSync(userModels, { recursive: true, force: true });
});

describe('the demo page in headless Chromium', () => {
  it('shows the backend it runs on, the models, and every view, without errors', async () => {
    const backend = await page.locator('#backend').textContent();
    expect(backend).toMatch(/^backend: (webgl|wasm|cpu)$/);
    console.info(`[demo e2e] ${await page.locator('#backend-detail').textContent()}`);
    expect(await page.locator('#errors li').allTextContents()).toEqual([]);
    expect(await page.locator('#model-list li.error').count()).toBe(0);
    for (const id of [
      'draw',
      'reconstruction',
      'samples',
      'interpolation',
      'manifold',
      'codemap',
      'pixelcnn',
      'bench',
    ]) {
      await showView(page, id);
      await expect
        .poll(() => page.locator(`#view-${id} canvas, #view-${id} table`).count(), { message: id })
        .toBeGreaterThan(0);
    }
  });

  it('reconstructs test image #3 as Node does, and a click on another image changes the picture', async () => {
    await showView(page, 'reconstruction');
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-reconstruction .body')?.dataset.shown === '3',
    );
    const x3 = testImages(testSet, [3]);
    await expectCanvas('recon-original', x3.clone(), 1);
    await expectCanvas('recon-vae', vae.reconstruct(x3), 1);
    await expectCanvas('recon-vqvae', vqvae.reconstruct(x3), 1);
    x3.dispose();
    const before = (await canvasGreys(page, 'recon-vae')).greys;
    // Thumbnail 5: column 5 of the first row (28 px + 2 px gap, drawn at 1.5×).
    await page.locator('#recon-thumbnails').click({ position: { x: (5 * 30 + 14) * 1.5, y: 14 * 1.5 } });
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-reconstruction .body')?.dataset.shown === '5',
    );
    const after = (await canvasGreys(page, 'recon-vae')).greys;
    expect(maxAbsDifference(before, after)).toBeGreaterThan(50);
    const x5 = testImages(testSet, [5]);
    await expectCanvas('recon-vae', vae.reconstruct(x5), 1);
    x5.dispose();
  });

  it('draws samples from the prior for a seed, and another seed gives another picture', async () => {
    await showView(page, 'samples');
    await page.waitForFunction(() => document.getElementById('samples-grid')?.dataset.seed === '1');
    await expectCanvas('samples-grid', vae.generate(16, { seed: 1 }), 4, 1);
    const before = (await canvasGreys(page, 'samples-grid')).greys;
    await page.locator('#samples-seed').fill('42');
    await page.locator('#samples-button').click();
    await page.waitForFunction(() => document.getElementById('samples-grid')?.dataset.seed === '42');
    expect(maxAbsDifference(before, (await canvasGreys(page, 'samples-grid')).greys)).toBeGreaterThan(50);
    await expectCanvas('samples-grid', vae.generate(16, { seed: 42 }), 4, 1);
  });

  it('interpolates between two images with the slider', async () => {
    await showView(page, 'interpolation');
    await page.waitForFunction(() => document.getElementById('interp-mid')?.dataset.t === '0.5');
    const pair = testImages(testSet, [3, 2]);
    await expectCanvas('interp-strip', vae.interpolate(tf.slice(pair, 0, 1), tf.slice(pair, 1, 1), 10), 10, 1);
    const { mean, logVar } = vae.encode(pair);
    const decodeAt = (t: number) =>
      tf.tidy(() => {
        const [a, b] = tf.split(mean, 2) as [tf.Tensor2D, tf.Tensor2D];
        return vae.decode(tf.add(tf.mul(a, 1 - t), tf.mul(b, t)) as tf.Tensor2D);
      });
    await expectCanvas('interp-mid', decodeAt(0.5), 1);
    const version = await canvasVersion(page, 'interp-mid');
    await page.locator('#interp-t').fill('0.15');
    await waitForRedraw(page, 'interp-mid', version);
    await page.waitForFunction(() => document.getElementById('interp-mid')?.dataset.t === '0.15');
    await expectCanvas('interp-mid', decodeAt(0.15), 1);
    tf.dispose([pair, mean, logVar ?? []]);
  });

  it('decodes the 20×20 latent manifold, plots the test codes, and decodes a clicked point', async () => {
    await showView(page, 'manifold');
    await page.waitForFunction(() => document.getElementById('manifold-grid')?.dataset.size === '20');
    await expectCanvas('manifold-grid', vae.latentGrid(20), 20);
    await page.waitForFunction(() => document.getElementById('manifold-scatter')?.dataset.points !== undefined);
    expect(await page.locator('#manifold-scatter').getAttribute('data-points')).toBe(String(testSet.size));
    await page.locator('#manifold-scatter').click({ position: { x: 240, y: 90 } });
    await page.waitForFunction(() => document.getElementById('manifold-point')?.dataset.z !== undefined);
    const z = JSON.parse((await page.locator('#manifold-point').getAttribute('data-z')) as string) as [number, number];
    const range = Number(await page.locator('#manifold-scatter').getAttribute('data-range'));
    // (240, 90) on a 360 px canvas spanning [−range, range]: z₀ right of the centre, z₁ above it.
    expect(z[0]).toBeCloseTo((240 / 360) * 2 * range - range, 1);
    expect(z[1]).toBeCloseTo(range - (90 / 360) * 2 * range, 1);
    const point = tf.tensor2d([z]);
    await expectCanvas('manifold-point', vae.decode(point), 1);
    point.dispose();
  });

  it('shows the code map of an image, and an edited cell is decoded live', async () => {
    await showView(page, 'codemap');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#view-codemap .body')?.dataset.shown === '3');
    const x3 = testImages(testSet, [3]);
    const encoded = vqvae.encode(x3);
    const codes = Array.from(await encoded.data());
    tf.dispose([x3, encoded]);
    expect(JSON.parse((await page.locator('#codemap-grid').getAttribute('data-codes')) as string)).toEqual(codes);
    const [height, width] = vqvae.latentShape;
    const before = (await canvasGreys(page, 'codemap-decoded')).greys;
    const row = Math.floor(height / 2);
    const col = Math.floor(width / 2);
    const current = codes[row * width + col] as number;
    const replacement = (current + Math.floor(vqvae.config.codebookSize / 2)) % vqvae.config.codebookSize;
    await page.locator(`#codemap-grid [data-row="${row}"][data-col="${col}"]`).click();
    await page.locator(`#codemap-palette [data-code="${replacement}"]`).click();
    await page.waitForFunction(() => document.getElementById('codemap-decoded')?.dataset.edits === '1');
    const edited = [...codes];
    edited[row * width + col] = replacement;
    expect(JSON.parse((await page.locator('#codemap-grid').getAttribute('data-codes')) as string)).toEqual(edited);
    expect(maxAbsDifference(before, (await canvasGreys(page, 'codemap-decoded')).greys)).toBeGreaterThan(0);
    const map = tf.tensor3d(edited, [1, height, width], 'int32');
    await expectCanvas('codemap-decoded', vqvae.decode(map), 1);
    map.dispose();
  });

  it('samples PixelCNN code maps position by position, as Node samples them with the same seed', async () => {
    await showView(page, 'pixelcnn');
    const { height, width } = prior.config;
    await page.locator('#pixelcnn-seed').fill('5');
    await page.locator('#pixelcnn-count').fill('2');
    await page.locator('#pixelcnn-button').click();
    // Caught mid-way: some positions painted, not all.
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('#view-pixelcnn .body')?.dataset.frames ?? 0) >= 3,
    );
    expect(await page.locator('#view-pixelcnn .body').getAttribute('data-done')).toBe('false');
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-pixelcnn .body')?.dataset.done === 'true',
      undefined,
      {
        timeout: 60_000,
      },
    );
    expect(await page.locator('#view-pixelcnn .body').getAttribute('data-frames')).toBe(String(height * width));
    const pageMaps = JSON.parse((await page.locator('#pixelcnn-maps').getAttribute('data-maps')) as string) as number[];
    // the shipped prior is class-conditional: by default the page draws every class in turn
    const classes = prior.config.numClasses;
    const cycle = classes > 0 ? [0, 1] : undefined;
    const nodeMaps = await prior.sample(2, { seed: 5, labels: cycle });
    expect(pageMaps).toEqual(Array.from(await nodeMaps.data()));
    await expectCanvas('pixelcnn-images', vqvae.decode(nodeMaps), 2, 1);
    nodeMaps.dispose();
    // the real test digits are drawn beside the samples: the first ones of the classes asked for
    const firstOf = (label: number, skip = 0) =>
      Array.from(testSet.labels)
        .map((value, index) => (value === label ? index : -1))
        .filter((index) => index >= 0)[skip] as number;
    await expectCanvas('pixelcnn-real', testImages(testSet, cycle ? [firstOf(0), firstOf(1)] : [0, 1]), 2, 1);
    if (classes > 0) {
      // one chosen class: every map of that class, as Node draws them, beside real digits of that class
      await page.locator('#pixelcnn-class').selectOption('3');
      await page.locator('#pixelcnn-button').click();
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('#view-pixelcnn .body')?.dataset.done === 'true',
        undefined,
        { timeout: 60_000 },
      );
      const threes = await prior.sample(2, { seed: 5, labels: [3, 3] });
      expect(JSON.parse((await page.locator('#pixelcnn-maps').getAttribute('data-maps')) as string)).toEqual(
        Array.from(await threes.data()),
      );
      threes.dispose();
      await expectCanvas('pixelcnn-real', testImages(testSet, [firstOf(3), firstOf(3, 1)]), 2, 1);
      await page.locator('#pixelcnn-class').selectOption('cycle');
    }
    // top-k 1 draws the most likely code at each position: the page's maps are Node's argmax maps
    await page.locator('#pixelcnn-top-k').fill('1');
    await page.locator('#pixelcnn-button').click();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-pixelcnn .body')?.dataset.done === 'true',
      undefined,
      { timeout: 60_000 },
    );
    const greedy = await prior.sample(2, { seed: 5, temperature: 0, labels: cycle });
    expect(JSON.parse((await page.locator('#pixelcnn-maps').getAttribute('data-maps')) as string)).toEqual(
      Array.from(await greedy.data()),
    );
    greedy.dispose();
    await page.locator('#pixelcnn-top-k').fill('0');
  });

  it('benchmarks the grid decode and PixelCNN sampling on the current backend', async () => {
    await showView(page, 'bench');
    await page.locator('#bench-backends').selectOption('current');
    await page.locator('#bench-run').click();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('#view-bench .body')?.dataset.done === 'true',
      undefined,
      {
        timeout: 90_000,
      },
    );
    const rows = (await page.evaluate(() => window.__vaejsBench)) ?? [];
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.gridMs).toBeGreaterThan(0);
    expect(row?.pixelcnnMs).toBeGreaterThan(0);
    console.info(
      `[demo e2e] bench on ${row?.backend}: 20×20 grid ${row?.gridMs?.toFixed(1)} ms, 16 PixelCNN maps ${row?.pixelcnnMs?.toFixed(0)} ms`,
    );
    expect(await page.locator('#backend').textContent()).toBe(`backend: ${row?.backend}`);
  });
});

describe('?backend=webgl', () => {
  it('forces WebGL (software-rendered here, passed over by default) and reconstructs as Node does', async () => {
    const webgl = await browser.open('?backend=webgl&vqvae=none&pixelcnn=none#reconstruction');
    try {
      const errors = await webgl.locator('#errors li').allTextContents();
      if ((await webgl.locator('#backend').textContent()) !== 'backend: webgl') {
        // No WebGL at all in this browser: the page must say so.
        expect(errors.join('\n')).toMatch(/^no tfjs backend works here \(webgl: .+\)$/m);
        return;
      }
      expect(errors).toEqual([]);
      console.info(`[demo e2e] ${await webgl.locator('#backend-detail').textContent()}`);
      await webgl.waitForFunction(
        () => document.querySelector<HTMLElement>('#view-reconstruction .body')?.dataset.shown === '3',
      );
      const x3 = testImages(testSet, [3]);
      await expectCanvas('recon-vae', vae.reconstruct(x3), 1, 0, webgl);
      x3.dispose();
    } finally {
      await webgl.close();
    }
  });
});

describe('errors a user can meet appear on the page', () => {
  const errorsOf = async (query: string) => {
    const errorPage = await browser.open(query);
    const texts = await errorPage.locator('#errors li').allTextContents();
    const views = await errorPage.locator('section.view').count();
    await errorPage.close();
    return { texts, views };
  };

  it('a missing model folder', async () => {
    const { texts, views } = await errorsOf('?vae=no-such-model/');
    expect(texts.join('\n')).toMatch(
      /vae: checkpoint: expected http:\/\/[^ ]+\/models\/no-such-model\/ a run folder with a checkpoint or a checkpoint folder, got neither\./,
    );
    expect(views).toBe(8);
  });

  it('a model of the wrong kind', async () => {
    const { texts } = await errorsOf('?vae=pixelcnn/');
    expect(texts.join('\n')).toMatch(
      /vae: checkpoint: expected a vae checkpoint, got a pixelcnn one \(http:\/\/[^ ]+\/models\/pixelcnn\/\)\./,
    );
  });

  it('a truncated weights file and a broken model.json', async () => {
    const truncated = await errorsOf(
      '?models=/user-models/&vae=truncated/&vqvae=none&pixelcnn=none&testImages=/models/test-images.bin',
    );
    expect(truncated.texts.join('\n')).toMatch(
      /^vae: loadVae: expected part 'decoder' readable weights, got an error: load: expected part 'decoder' weights exactly \d+ bytes, got 1000 bytes\. \(model at http:\/\/[^ ]+\/user-models\/truncated\/\)$/m,
    );
    const badJson = await errorsOf('?models=/user-models/&vae=bad-json/&vqvae=none&pixelcnn=none');
    expect(badJson.texts.join('\n')).toMatch(
      /^vae: loadVae: expected part 'encoder' readable weights, got an error: .*JSON/m,
    );
  });

  it('a run folder is read through checkpoints/latest.json; a bad test-image file is reported', async () => {
    const { texts } = await errorsOf(
      '?models=/user-models/&vae=run/&vqvae=none&pixelcnn=none&testImages=/user-models/not-images.bin',
    );
    expect(texts).toHaveLength(1);
    expect(texts[0] as string).toMatch(
      /^parseTestSet: expected http:\/\/[^ ]+\/user-models\/not-images\.bin a test-image file starting with 'VJTS', got "\{.*" \(\d+ bytes\)\.$/,
    );
    const runPage = await browser.open('?models=/user-models/&vae=run/&vqvae=none&pixelcnn=none');
    const { epoch } = JSON.parse(readFileSync(join(MODELS, 'vae', 'checkpoint.json'), 'utf8')) as { epoch: number };
    expect(await runPage.locator('#model-list [data-role="vae"]').textContent()).toMatch(
      new RegExp(`epoch ${epoch} \\(http://[^ ]+/user-models/run/checkpoints/epoch-0007/\\)`),
    );
    await runPage.close();
  });

  it('checkpoints that lead outside themselves or hold bad weights are refused, as the Node loader refuses them', async () => {
    const appendedSize = readFileSync(join(userModels, 'appended', 'decoder', 'weights.bin')).byteLength;
    const nanTensor = (
      JSON.parse(readFileSync(join(MODELS, 'pixelcnn', 'network', 'model.json'), 'utf8')) as tf.io.ModelJSON
    ).weightsManifest[0]?.weights[0]?.name as string;
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const testImages = 'testImages=/models/test-images.bin';
    const first = await errorsOf(`?models=/user-models/&vae=escape/&vqvae=weight-path/&pixelcnn=nan/&${testImages}`);
    expect(first.texts).toHaveLength(3);
    expect(first.texts[0]).toMatch(
      /^vae: checkpoint: expected http:\/\/[^ ]+\/user-models\/escape\/checkpoints\/latest\.json to name a checkpoint folder of this run \(.+\), got '\.\.\/\.\.\/x'\.$/,
    );
    expect(first.texts[1]).toMatch(
      /^vqvae: .*expected part 'decoder' weight path a plain file name inside the part folder, got '\.\.\/\.\.\/\.\.\/x'.* \(model at http:\/\/[^ ]+\/user-models\/weight-path\/\)$/,
    );
    expect(first.texts[2]).toMatch(
      new RegExp(
        `^pixelcnn: loadPixelCnn: expected part 'network' .*expected part 'network' weight '${escaped(nanTensor)}' finite values, got NaN at 0\\..* \\(model at http://[^ ]+/user-models/nan/\\)$`,
      ),
    );
    const second = await errorsOf(`?models=/user-models/&vae=appended/&vqvae=none&pixelcnn=none&${testImages}`);
    expect(second.texts).toEqual([expect.stringMatching(/^vae: loadVae: expected part 'decoder' readable weights/)]);
    expect(second.texts[0]).toMatch(
      new RegExp(
        `load: expected part 'decoder' weights exactly ${appendedSize - 5000} bytes, got ${appendedSize} bytes\\. \\(model at http://[^ ]+/user-models/appended/\\)$`,
      ),
    );
    expect(second.views).toBe(8);
  });
});
