import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIdxFile } from '@vaejs/datasets';
import { findLatestCheckpoint } from '@vaejs/training';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL_FIELDS, temporaryDir, writeTinyIdxDataset } from './fixtures';
import { runCli } from './run-cli';

const TINY_VQ = [
  '--model',
  'vqvae',
  '--channels',
  '4',
  '--code-dim',
  '4',
  '--codebook-size',
  '8',
  '--batch-size',
  '16',
  '--backend',
  'cpu',
];

describe('the three steps: vaejs train --model vqvae, vaejs encode, vaejs prior train, vaejs sample --vqvae --prior', () => {
  let data: string;
  let vq: string;
  let codes: string;
  let prior: string;

  beforeAll(async () => {
    data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'));
    vq = join(temporaryDir(), 'vq');
    codes = join(temporaryDir(), 'codes');
    prior = join(temporaryDir(), 'prior');
    const trained = await runCli(['train', ...TINY_VQ, '--dataset', data, '--epochs', '2', '--out', vq]);
    expect(trained.code, trained.stderr).toBe(0);
    const encoded = await runCli(['encode', '--run', vq, '--out', codes, '--backend', 'cpu']);
    expect(encoded.code, encoded.stderr).toBe(0);
    const priorRun = await runCli([
      'prior',
      'train',
      '--codes',
      codes,
      '--out',
      prior,
      '--epochs',
      '2',
      '--layers',
      '2',
      '--channels',
      '8',
      '--batch-size',
      '16',
      '--backend',
      'cpu',
    ]);
    expect(priorRun.code, priorRun.stderr).toBe(0);
  });

  it('reports codebook usage per epoch and draws its histogram', () => {
    const lines = readFileSync(join(vq, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.epoch)).toEqual([1, 2]);
    for (const line of lines) {
      expect(line.test_code_usage).toBeGreaterThan(0);
      expect(line.test_code_usage).toBeLessThanOrEqual(1);
      expect(line.test_code_perplexity).toBeGreaterThanOrEqual(1);
      expect(line.test_code_perplexity).toBeLessThanOrEqual(8);
      expect(Number.isFinite(line.reconstructionMse)).toBe(true);
    }
    expect(PNG.sync.read(readFileSync(join(vq, 'codebook-usage.png'))).width).toBe(960); // drawn at 2×
    expect(findLatestCheckpoint(vq)?.info.kind).toBe('vqvae');
  });

  it('encode writes int32 code maps [n, h, w] within the codebook, with labels', () => {
    const manifest = JSON.parse(readFileSync(join(codes, 'codes.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'vaejs-codes', numCategories: 8, height: 2, width: 2, numClasses: 4 });
    const train = readIdxFile(join(codes, 'train-codes.idx'));
    expect(train.dtype).toBe('int32');
    expect(train.shape).toEqual([64, 2, 2]);
    expect(Math.min(...train.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...train.data)).toBeLessThan(8);
    expect(Array.from(readIdxFile(join(codes, 'test-labels.idx')).data.slice(0, 5))).toEqual([0, 1, 2, 3, 0]);
  });

  it('the prior trains below the uniform code cost, and sampling decodes its maps into an image grid', async () => {
    const lines = readFileSync(join(prior, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // nats per position of a uniform guess over 8 codes is ln 8
    expect(lines.at(-1).test_loss).toBeLessThan(Math.log(8));
    expect(lines.at(-1).bitsPerDim).toBeCloseTo(lines.at(-1).train_loss / Math.LN2, 4);
    const out = join(temporaryDir(), 'samples.png');
    const sampled = await runCli([
      'sample',
      '--vqvae',
      vq,
      '--prior',
      prior,
      '-n',
      '4',
      '--seed',
      '3',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(sampled.code, sampled.stderr).toBe(0);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([2 * 17 + 1, 2 * 17 + 1]);
  });

  it('refuses a checkpoint of another model in one line', async () => {
    const result = await runCli(['sample', '--run', vq, '--out', join(temporaryDir(), 'v.png'), '--backend', 'cpu']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^vaejs sample: expected --run a VAE or a PixelCNN prior, got a VQ-VAE, which has no prior of its own/,
    );
    const wrongPrior = await runCli([
      'sample',
      '--vqvae',
      prior,
      '--prior',
      prior,
      '--out',
      join(temporaryDir(), 'x.png'),
      '--backend',
      'cpu',
    ]);
    expect(wrongPrior.code).toBe(2);
    expect(wrongPrior.stderr.trim().split('\n').at(-1)).toMatch(
      /^vaejs sample: expected a vqvae checkpoint, got a pixelcnn one \(.*\)\.$/,
    );
  });

  it('eval scores a VQ-VAE (reconstruction error over variance, codebook use) and a prior (nats per position)', async () => {
    const vqReport = await runCli(['eval', '--run', vq, '--backend', 'cpu', '--json']);
    expect(vqReport.code, vqReport.stderr).toBe(0);
    const scores = JSON.parse(vqReport.stdout);
    expect(scores).toMatchObject({ model: 'vqvae', examples: 32, epoch: 2 });
    expect(scores.mse_over_variance).toBeGreaterThan(0);
    expect(Object.keys(scores)).toEqual(EVAL_FIELDS.vqvae);
    expect(scores.code_usage).toBeGreaterThan(0);
    expect(scores.code_usage).toBeLessThanOrEqual(1);
    expect(scores.code_perplexity).toBeGreaterThanOrEqual(1);
    const priorReport = await runCli(['eval', '--run', prior, '--backend', 'cpu', '--json']);
    expect(priorReport.code, priorReport.stderr).toBe(0);
    const nats = JSON.parse(priorReport.stdout);
    expect(nats).toMatchObject({ model: 'pixelcnn', examples: 32 });
    // the same test maps as the run's last epoch: the same nats per position
    const last = readFileSync(join(prior, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .at(-1);
    expect(nats.loss).toBeCloseTo(last.test_loss, 4);
    expect(nats.bits_per_dim).toBeCloseTo(nats.loss / Math.LN2, 4);
    expect(Object.keys(nats)).toEqual(EVAL_FIELDS.pixelcnn);
  });

  it('sample --run <prior> finds the VQ-VAE through its codes; temperature 0 takes the argmax whatever the seed', async () => {
    const dir = temporaryDir();
    const draw = async (name: string, extra: string[]) => {
      const out = join(dir, name);
      const result = await runCli(['sample', '--run', prior, '-n', '4', '--out', out, '--backend', 'cpu', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return readFileSync(out);
    };
    const argmaxA = await draw('a.png', ['--temperature', '0', '--seed', '1']);
    const argmaxB = await draw('b.png', ['--temperature', '0', '--seed', '2']);
    const sampledA = await draw('c.png', ['--seed', '1']);
    const sampledB = await draw('d.png', ['--seed', '2']);
    expect(argmaxA.equals(argmaxB)).toBe(true);
    expect(sampledA.equals(sampledB)).toBe(false);
  });

  it('sample says where the VQ-VAE it looked for was named when that folder is gone, and takes --vqvae instead', async () => {
    const dir = temporaryDir();
    const movedCodes = join(dir, 'codes');
    const movedPrior = join(dir, 'prior');
    cpSync(codes, movedCodes, { recursive: true });
    cpSync(prior, movedPrior, { recursive: true });
    type Json = { source: { vqvaeRun: string }; app: { flags: { codes: string } } };
    const edit = (path: string, change: (json: Json) => void) => {
      const json = JSON.parse(readFileSync(path, 'utf8'));
      change(json);
      writeFileSync(path, JSON.stringify(json));
    };
    const gone = join(dir, 'vq-that-moved');
    edit(join(movedCodes, 'codes.json'), (json) => {
      json.source.vqvaeRun = gone;
    });
    edit(join(movedPrior, 'config.json'), (json) => {
      json.app.flags.codes = movedCodes;
    });
    const out = join(dir, 's.png');
    const refused = await runCli(['sample', '--run', movedPrior, '-n', '2', '--out', out, '--backend', 'cpu']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe(
      `vaejs sample: expected the VQ-VAE that decodes the prior's maps at '${gone}' (named by ${join(movedCodes, 'codes.json')}), got no such folder (moved? give --vqvae <its new place>).`,
    );
    const given = await runCli([
      'sample',
      '--run',
      movedPrior,
      '--vqvae',
      vq,
      '-n',
      '2',
      '--out',
      out,
      '--backend',
      'cpu',
    ]);
    expect(given.code, given.stderr).toBe(0);
    expect(PNG.sync.read(readFileSync(out)).width).toBeGreaterThan(0);
  });

  it('sample --top-k: 1 takes the argmax whatever the seed, K (all codes) draws as without it; a bad k is refused', async () => {
    const dir = temporaryDir();
    const draw = async (name: string, extra: string[]) => {
      const out = join(dir, name);
      const result = await runCli(['sample', '--run', prior, '-n', '4', '--out', out, '--backend', 'cpu', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return readFileSync(out);
    };
    const argmax = await draw('argmax.png', ['--temperature', '0']);
    const top1 = await draw('top1.png', ['--top-k', '1', '--seed', '3']);
    const plain = await draw('plain.png', ['--seed', '3']);
    const topAll = await draw('top8.png', ['--top-k', '8', '--seed', '3']);
    expect(top1.equals(argmax)).toBe(true);
    expect(topAll.equals(plain)).toBe(true);
    const bad = await runCli(['sample', '--run', prior, '--top-k', '0', '--out', join(dir, 'x.png')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vaejs sample: expected --top-k a positive integer, got '0'\.$/m);
  });

  it('prior train --resume takes moved code maps but not maps of another VQ-VAE, and sample names a missing codes folder', async () => {
    const dir = temporaryDir();
    const moved = join(dir, 'moved-codes');
    cpSync(codes, moved, { recursive: true });
    const resumed = await runCli([
      'prior',
      'train',
      '--resume',
      '--epochs',
      '2',
      '--codes',
      moved,
      '--out',
      prior,
      '--backend',
      'cpu',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('nothing to train');
    const other = join(dir, 'other-codes');
    cpSync(codes, other, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(other, 'codes.json'), 'utf8'));
    manifest.source.vqvaeRun = join(dir, 'another-vq');
    writeFileSync(join(other, 'codes.json'), JSON.stringify(manifest));
    const refused = await runCli([
      'prior',
      'train',
      '--resume',
      '--epochs',
      '3',
      '--codes',
      other,
      '--out',
      prior,
      '--backend',
      'cpu',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(
      /^vaejs prior train: expected --codes the run's own code maps \(those of .*, or that folder moved\), got '.*other-codes', encoded from another source \(.*another-vq.*\)\.$/,
    );
    // a prior run whose codes folder is gone: sample says which file named it and what to give
    const lonely = join(dir, 'prior-copy');
    cpSync(prior, lonely, { recursive: true });
    const config = JSON.parse(readFileSync(join(lonely, 'config.json'), 'utf8'));
    config.app.flags.codes = join(dir, 'gone-codes');
    writeFileSync(join(lonely, 'config.json'), JSON.stringify(config));
    const sampled = await runCli([
      'sample',
      '--run',
      lonely,
      '-n',
      '2',
      '--out',
      join(dir, 's.png'),
      '--backend',
      'cpu',
    ]);
    expect(sampled.code).toBe(2);
    expect(sampled.stderr.trim().split('\n').at(-1)).toBe(
      `vaejs sample: expected the code maps the run was trained on at '${join(dir, 'gone-codes')}' (named by ${join(lonely, 'config.json')}), got no such folder: give --vqvae <folder>.`,
    );
  });

  it('encode and prior train take --limit and --test-limit for both splits', async () => {
    const few = join(temporaryDir(), 'few-codes');
    const encoded = await runCli([
      'encode',
      '--run',
      vq,
      '--out',
      few,
      '--limit',
      '10',
      '--test-limit',
      '6',
      '--backend',
      'cpu',
    ]);
    expect(encoded.code, encoded.stderr).toBe(0);
    expect(readIdxFile(join(few, 'train-codes.idx')).shape).toEqual([10, 2, 2]);
    expect(readIdxFile(join(few, 'test-codes.idx')).shape).toEqual([6, 2, 2]);
    const run = join(temporaryDir(), 'few-prior');
    const trained = await runCli([
      'prior',
      'train',
      '--codes',
      codes,
      '--out',
      run,
      '--epochs',
      '1',
      '--layers',
      '1',
      '--channels',
      '4',
      '--limit',
      '20',
      '--test-limit',
      '5',
      '--backend',
      'cpu',
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config.data).toMatchObject({ train: { size: 20 }, test: { size: 5 } });
  });
});
