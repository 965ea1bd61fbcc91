// The run folders vaejs 0.2.0 wrote (testing/fixtures/run-0.2.0), read by this release's reader over files and over
// HTTP with the model packages' loaders, sampled in two stages, and resumed by fit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadCodeMaps, loadMnist, subset } from '@vaejs/datasets';
import { createTwoStageSampler, type PixelCnn, pixelCnnLoader } from '@vaejs/pixelcnn-prior';
import { copyOfRun020, serveFolder } from '@vaejs/testing';
import { type Vae, vaeLoader } from '@vaejs/vae';
import { type VqVae, vqVaeLoader } from '@vaejs/vqvae';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunReader, evaluate, fileRunSource, fit, type HttpFetcher, httpRunSource } from '../src/index.node';

const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
const BASE = 'http://runs.test/';
let runs: string;

/** Serves the files of the copied fixture at BASE, as a static web server would. */
const served: HttpFetcher = (url) => serveFolder(runs, BASE)(url);

const testLoss = (run: string) =>
  JSON.parse(readFileSync(join(runs, run, 'metrics.jsonl'), 'utf8').split('\n')[0] as string).test_loss as number;

beforeAll(() => {
  runs = copyOfRun020();
});

describe('run folders written by vaejs 0.2.0', () => {
  it('read over files and HTTP alike: each config, each checkpoint, each kind', async () => {
    for (const [run, kind] of [
      ['vae', 'vae'],
      ['vqvae', 'vqvae'],
      ['prior', 'pixelcnn'],
    ] as const) {
      const config = await reader.readConfig(fileRunSource(join(runs, run)));
      expect(config).toMatchObject({ format: 'vaejs-run', version: 1, kind });
      const overFiles = await reader.locate(fileRunSource(join(runs, run)), { kinds: [kind] });
      const overHttp = await reader.locate(httpRunSource(`${BASE}${run}`, served), { kinds: [kind] });
      expect([overFiles.info, overFiles.manifest]).toEqual([overHttp.info, overHttp.manifest]);
      expect(overFiles.info).toMatchObject({ epoch: 1, kind });
      expect(overHttp.location).toBe(`${BASE}${run}/checkpoints/epoch-0001/`);
    }
  });

  it('load, and score their test data as their runs did (the prior exactly)', async () => {
    const prior = (await reader.load(await reader.locate(httpRunSource(`${BASE}prior`, served)))) as PixelCnn;
    const test = loadCodeMaps(join(runs, 'codes'), { split: 'test' });
    expect((await evaluate(prior, test)).loss).toBeCloseTo(testLoss('prior'), 5);
    const vqvae = (await reader.load(await reader.locate(fileRunSource(join(runs, 'vqvae'))))) as VqVae;
    const images = subset(loadMnist({ split: 'test' }), 0, 64);
    expect((await evaluate(vqvae, images)).loss).toBeCloseTo(testLoss('vqvae'), 5);
    // the sampler decodes the prior's draws with the VQ-VAE
    const sampler = createTwoStageSampler(prior, vqvae);
    expect(sampler.mismatch).toBeNull();
    const { maps, images: drawn } = await sampler.sample(3, { seed: 4 });
    expect([maps.shape, drawn.shape]).toEqual([
      [3, 7, 7],
      [3, 28, 28, 1],
    ]);
    tf.dispose([maps, drawn]);
    prior.dispose();
    vqvae.dispose();
  });

  it('resume: fit continues the VAE run to epoch 2 from its checkpoint', async () => {
    const run = join(runs, 'vae');
    const checkpoint = await reader.locate(fileRunSource(run), { kinds: ['vae'] });
    const vae = reader.create(checkpoint.kind, checkpoint.manifest.config) as Vae;
    const data = { train: subset(loadMnist(), 0, 256), test: subset(loadMnist({ split: 'test' }), 0, 64) };
    const history = await fit(vae, data, { epochs: 2, batchSize: 64, runDir: run, resume: true, verbose: 0 });
    vae.dispose();
    expect(history.epochs).toEqual([1, 2]);
    expect(history.records[0]?.test_loss).toBe(testLoss('vae'));
    expect(history.records[1]?.test_loss).toBeLessThan(testLoss('vae'));
    expect((await reader.locate(fileRunSource(run))).info?.epoch).toBe(2);
  });
});
