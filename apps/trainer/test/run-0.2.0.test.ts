// Run folders written by vaejs 0.2.0 (testing/fixtures/run-0.2.0) stay readable: eval scores each checkpoint as its
// own run scored it then, sample draws from the VAE and from the prior decoded by the VQ-VAE, and --resume goes on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyOfRun020 } from '@vaejs/testing';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir } from './fixtures';
import { runCli } from './run-cli';

const CPU = ['--backend', 'cpu'];

function metrics(run: string): Record<string, number>[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

async function evalJson(args: string[]): Promise<Record<string, number>> {
  const result = await runCli(['eval', ...args, ...CPU, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('run folders written by vaejs 0.2.0', () => {
  let runs: string;
  beforeAll(() => {
    runs = copyOfRun020();
  });

  it('eval loads each checkpoint and scores its test data as the run did', async () => {
    const vqvae = await evalJson(['--run', join(runs, 'vqvae'), '--limit', '64']);
    expect(vqvae).toMatchObject({ model: 'vqvae', epoch: 1, examples: 64 });
    expect(vqvae.loss).toBeCloseTo(metrics(join(runs, 'vqvae'))[0]?.test_loss as number, 5);
    const prior = await evalJson(['--run', join(runs, 'prior'), '--codes', join(runs, 'codes')]);
    expect(prior).toMatchObject({ model: 'pixelcnn', epoch: 1, examples: 16 });
    expect(prior.loss).toBeCloseTo(metrics(join(runs, 'prior'))[0]?.test_loss as number, 5);
    const vae = await evalJson(['--run', join(runs, 'vae'), '--limit', '64']);
    expect(vae).toMatchObject({ model: 'vae', epoch: 1, examples: 64 });
    // the KL term is closed-form: the encoder read back gives the run's own test KL
    expect(vae.kl).toBeCloseTo(metrics(join(runs, 'vae'))[0]?.test_kl as number, 6);
  });

  it('sample draws from the VAE and from the prior decoded by its VQ-VAE', async () => {
    const dir = temporaryDir();
    const fromVae = await runCli([
      'sample',
      '--run',
      join(runs, 'vae'),
      '-n',
      '4',
      '--out',
      join(dir, 'vae.png'),
      ...CPU,
    ]);
    expect(fromVae.code, fromVae.stderr).toBe(0);
    expect(PNG.sync.read(readFileSync(join(dir, 'vae.png'))).width).toBe(115); // 2 columns of 28 pixels drawn twice, 3 pixels of border;
    const prior = ['--prior', join(runs, 'prior'), '--vqvae', join(runs, 'vqvae'), '-n', '4'];
    const fromPrior = await runCli(['sample', ...prior, '--out', join(dir, 'prior.png'), ...CPU]);
    expect(fromPrior.code, fromPrior.stderr).toBe(0);
    expect(PNG.sync.read(readFileSync(join(dir, 'prior.png'))).width).toBe(115); // 2 columns of 28 pixels drawn twice, 3 pixels of border;
  });

  it('encode writes the code maps of the VQ-VAE', async () => {
    const out = join(temporaryDir(), 'codes');
    const args = ['encode', '--run', join(runs, 'vqvae'), '--out', out, '--limit', '8', '--test-limit', '4'];
    const encoded = await runCli([...args, ...CPU]);
    expect(encoded.code, encoded.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'codes.json'), 'utf8'));
    expect(manifest).toMatchObject({
      numCategories: 4,
      height: 7,
      width: 7,
      source: { vqvaeRun: join(runs, 'vqvae') },
    });
    const original = readFileSync(join(runs, 'codes', 'train-codes.idx'));
    // the first 8 maps, encoded again, are the bytes 0.2.0 wrote (after the 16-byte IDX header of each file)
    expect(readFileSync(join(out, 'train-codes.idx')).subarray(16)).toEqual(original.subarray(16, 16 + 8 * 49 * 4));
  });

  it('--resume trains the VAE and the prior on to epoch 2', async () => {
    const vae = join(runs, 'vae');
    const resumed = await runCli(['train', '--resume', '--epochs', '2', '--out', vae, ...CPU]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(metrics(vae).map((line) => line.epoch)).toEqual([1, 2]);
    expect(metrics(vae)[0]?.test_loss).toBe(555.0065307617188);
    expect(existsSync(join(vae, 'checkpoints', 'epoch-0002', 'checkpoint.json'))).toBe(true);
    const prior = join(runs, 'prior');
    const args = ['prior', 'train', '--resume', '--epochs', '2', '--codes', join(runs, 'codes'), '--out', prior];
    const priorResumed = await runCli([...args, ...CPU]);
    expect(priorResumed.code, priorResumed.stderr).toBe(0);
    expect(metrics(prior).map((line) => line.epoch)).toEqual([1, 2]);
  });
});
