// The PyTorch bridge end to end, as a user runs it: `vaejs export --format pytorch`, two processes of
// `torchrun --nproc_per_node=2 -m vaejs_torch.train` on gloo, `vaejs import --format pytorch`, then the CLI's own
// commands on the import (sample, encode, eval, train --resume, prior train --resume). And every bad folder: one line,
// exit status 2, nothing written, on the Python side and in `vaejs import`. Needs Debian's python3-torch (CI installs
// it); small on purpose: a few hundred images, one epoch.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTorchPython, serveFolder, torchrunArgs } from '@vaejs/testing';
import { decodeSafetensors, encodeSafetensors, httpRunSource } from '@vaejs/training';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReader } from '../src/cli/models';
import { temporaryDir } from './fixtures';
import { runCli } from './run-cli';

const python = findTorchPython();
const CPU = ['--backend', 'cpu'];

/** Runs the Python side of an exported folder (its own copy of vaejs_torch), on one process or under torchrun. */
function trainInPython(model: string, args: string[], processes = 1) {
  const launcher = processes > 1 ? torchrunArgs(python as string, processes) : [];
  const run = spawnSync(python as string, [...launcher, '-m', 'vaejs_torch.train', '--model', model, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(model, 'python'), OMP_NUM_THREADS: '1' },
    timeout: 300_000,
  });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

function lastRecord(folder: string): Record<string, number | string> {
  const lines = readFileSync(join(folder, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1) as string);
}

async function ok(args: string[]) {
  const result = await runCli(args);
  expect(result.code, `vaejs ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

describe.runIf(python !== null)('the PyTorch bridge: vaejs export, torchrun with gloo, vaejs import', () => {
  const root = temporaryDir('vaejs-bridge-');
  const at = (name: string) => join(root, name);
  const trained: Record<string, ReturnType<typeof trainInPython>> = {};

  beforeAll(async () => {
    await ok(['train', '--limit', '256', '--test-limit', '500', '--epochs', '1', '--out', at('vae'), ...CPU]);
    const vq = [
      '--model',
      'vqvae',
      '--channels',
      '4',
      '--code-dim',
      '4',
      '--codebook-size',
      '16',
      '--batch-size',
      '64',
    ];
    await ok(['train', ...vq, '--limit', '256', '--test-limit', '200', '--epochs', '1', '--out', at('vq'), ...CPU]);
    for (const [name, testLimit] of [
      ['vae', '500'],
      ['vq', '200'],
    ] as const) {
      await ok(['export', '--format', 'pytorch', '--run', at(name), '--out', at(`exported-${name}`), ...CPU]);
      const args = ['--dataset', 'mnist', '--limit', '512', '--test-limit', testLimit, '--epochs', '1'];
      trained[name] = trainInPython(
        at(`exported-${name}`),
        [...args, '--batch-size', '128', '--out', at(`trained-${name}`)],
        2,
      );
      expect(trained[name]?.status, trained[name]?.stderr).toBe(0);
      await ok([
        'import',
        '--format',
        'pytorch',
        '--from',
        at(`trained-${name}`),
        '--out',
        at(`${name}-torch`),
        ...CPU,
      ]);
    }
  }, 600_000);

  it('export writes the config, every tensor in the tfjs layout, the optimizer’s slots, the Python side and a README with the torchrun line', () => {
    const folder = at('exported-vq');
    expect(readdirSync(folder).sort()).toEqual([
      'README.md',
      'config.json',
      'model.safetensors',
      'optimizer.safetensors',
      'python',
    ]);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ format: 'vaejs-pytorch', version: 1, kind: 'vqvae', state: { initialized: true } });
    expect(config.model).toMatchObject({ dim: 4, codebookSize: 16, quantizer: { ema: true } });
    expect(config.optimizer).toMatchObject({ name: 'adam', learningRate: 0.001 });
    expect(config.training).toMatchObject({ epoch: 1, step: 4, dataset: { name: 'mnist' } });
    const weights = decodeSafetensors(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))).tensors;
    expect(weights['enc_conv_0/kernel']?.shape).toEqual([3, 3, 1, 4]);
    expect(weights['vector_quantizer/ema_cluster_size']?.shape).toEqual([16]);
    const slots = decodeSafetensors(new Uint8Array(readFileSync(join(folder, 'optimizer.safetensors')))).tensors;
    expect(slots['enc_conv_0/kernel/m']?.shape).toEqual([3, 3, 1, 4]);
    expect(Array.from(slots.iter?.data ?? [])).toEqual([4]);
    expect(config.optimizer.order).toHaveLength(12);
    expect(existsSync(join(folder, 'python', 'vaejs_torch', 'train.py'))).toBe(true);
    expect(existsSync(join(folder, 'python', 'pyproject.toml'))).toBe(true);
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain(
      'PYTHONPATH=python torchrun --nproc_per_node=2 -m vaejs_torch.train --model exported/vq --dataset mnist \\\n  --limit 4096 --epochs 1 --batch-size 128 --out trained/vq',
    );
  });

  it('two processes on gloo train the exported VAE and VQ-VAE one epoch; every rank keeps the same codebook', () => {
    for (const name of ['vae', 'vq']) {
      const record = lastRecord(at(`trained-${name}`));
      expect(record.epoch).toBe(2);
      expect(record.backend).toMatch(/^pytorch [\d.]+\S* \(gloo, 2 × cpu\)$/);
      expect(Number.isFinite(record.test_loss)).toBe(true);
      const steps = readFileSync(join(at(`trained-${name}`), 'steps.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(steps).toHaveLength(4); // 512 images, global batch 128
    }
    expect(lastRecord(at('trained-vq')).codebook_rank_spread).toBe(0);
  });

  it('one process takes the steps two take: the same step losses and test loss (float rounding apart)', () => {
    for (const [name, testLimit] of [
      ['vae', '500'],
      ['vq', '200'],
    ] as const) {
      const out = at(`one-${name}`);
      const args = ['--dataset', 'mnist', '--limit', '512', '--test-limit', testLimit, '--epochs', '1'];
      const run = trainInPython(at(`exported-${name}`), [...args, '--batch-size', '128', '--out', out]);
      expect(run.status, run.stderr).toBe(0);
      const losses = (folder: string) =>
        readFileSync(join(folder, 'steps.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).loss as number);
      const one = losses(out);
      const two = losses(at(`trained-${name}`));
      expect(one).toHaveLength(4);
      const gaps = one.map((loss, i) => Math.abs(loss - (two[i] as number)) / Math.abs(loss));
      expect(Math.max(...gaps), `${name}: ${one} against ${two}`).toBeLessThan(1e-5);
      const test = [lastRecord(out).test_loss as number, lastRecord(at(`trained-${name}`)).test_loss as number];
      expect(Math.abs(test[0]! - test[1]!) / Math.abs(test[0]!), `${name}: ${test}`).toBeLessThan(1e-5);
    }
  });

  it('the imports evaluate in the CLI to the test loss the Python side reported, within 1e-3', async () => {
    for (const [name, limit] of [
      ['vae', '500'],
      ['vq', '200'],
    ] as const) {
      const { stdout } = await ok(['eval', '--run', at(`${name}-torch`), '--limit', limit, ...CPU, '--json']);
      const scores = JSON.parse(stdout);
      const python = lastRecord(at(`trained-${name}`)).test_loss as number;
      expect(scores.epoch).toBe(2);
      expect(
        Math.abs(scores.loss - python) / Math.abs(python),
        `${name}: vaejs ${scores.loss}, torch ${python}`,
      ).toBeLessThan(1e-3);
    }
  });

  it('the demo’s reader loads the imports over HTTP', async () => {
    for (const name of ['vae-torch', 'vq-torch']) {
      const base = `http://demo.test/${name}/`;
      const source = httpRunSource(base, serveFolder(at(name), base));
      const checkpoint = await runReader.locate(source);
      expect(checkpoint.info?.epoch).toBe(2);
      (await runReader.load(checkpoint)).dispose();
    }
  });

  it('the imports sample and encode in the CLI, and train --resume continues them', async () => {
    await ok(['sample', '--run', at('vae-torch'), '-n', '16', '--out', at('samples.png'), ...CPU]);
    expect(existsSync(at('samples.png'))).toBe(true);
    await ok([
      'encode',
      '--run',
      at('vq-torch'),
      '--out',
      at('codes'),
      '--limit',
      '256',
      '--test-limit',
      '100',
      ...CPU,
    ]);
    expect(existsSync(join(at('codes'), 'train-codes.idx'))).toBe(true);
    await ok(['train', '--resume', '--out', at('vae-torch'), '--epochs', '3', ...CPU]);
    const metrics = readFileSync(join(at('vae-torch'), 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(metrics.map((line) => JSON.parse(line).epoch)).toEqual([1, 2, 3]);
    const config = JSON.parse(readFileSync(join(at('vae-torch'), 'config.json'), 'utf8'));
    expect(config.data.train.size).toBe(512); // the torch run's data, which --resume trains on
  });

  it('a prior: exported, trained in PyTorch on its code maps, imported, resumed by vaejs prior train --resume, sampled', async () => {
    const prior = ['--layers', '2', '--channels', '8', '--batch-size', '64', '--conditional', ...CPU];
    await ok(['prior', 'train', '--codes', at('codes'), '--out', at('prior'), '--epochs', '1', ...prior]);
    await ok(['export', '--format', 'pytorch', '--run', at('prior'), '--out', at('exported-prior'), ...CPU]);
    const run = trainInPython(at('exported-prior'), [
      '--epochs',
      '1',
      '--batch-size',
      '64',
      '--out',
      at('trained-prior'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    await ok(['import', '--format', 'pytorch', '--from', at('trained-prior'), '--out', at('prior-torch'), ...CPU]);
    const { stdout } = await ok(['eval', '--run', at('prior-torch'), ...CPU, '--json']);
    const python = lastRecord(at('trained-prior')).test_loss as number;
    expect(Math.abs(JSON.parse(stdout).loss - python) / python).toBeLessThan(1e-3);
    await ok([
      'prior',
      'train',
      '--codes',
      at('codes'),
      '--out',
      at('prior-torch'),
      '--resume',
      '--epochs',
      '3',
      ...CPU,
    ]);
    await ok(['sample', '--run', at('prior-torch'), '-n', '4', '--out', at('prior.png'), ...CPU]);
    expect(lastRecord(at('prior-torch')).epoch).toBe(3);
  });

  describe('bad input: one line naming the tensor or field, exit 2, nothing written', () => {
    const tensors = () =>
      decodeSafetensors(new Uint8Array(readFileSync(join(at('exported-vae'), 'model.safetensors')))).tensors;
    const f32 = (shape: number[]) => ({
      dtype: 'float32' as const,
      shape,
      data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
    });
    const config = () => JSON.parse(readFileSync(join(at('exported-vae'), 'config.json'), 'utf8'));
    const CASES: [string, (folder: string) => void, RegExp][] = [
      [
        'a wrong header',
        (folder) => writeFileSync(join(folder, 'model.safetensors'), Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 123])),
        /model\.safetensors header length at most 1 bytes, got 65535/,
      ],
      [
        'a missing tensor',
        (folder) => {
          const { 'z_mean/bias': _gone, ...rest } = tensors();
          writeFileSync(join(folder, 'model.safetensors'), encodeSafetensors(rest));
        },
        /tensor 'z_mean\/bias'.*got none/,
      ],
      [
        'an extra tensor',
        (folder) =>
          writeFileSync(
            join(folder, 'model.safetensors'),
            encodeSafetensors({ ...tensors(), 'stray/kernel': f32([2]) }),
          ),
        /only the model's tensors, got 'stray\/kernel'/,
      ],
      [
        'a shape the config does not give',
        (folder) =>
          writeFileSync(
            join(folder, 'model.safetensors'),
            encodeSafetensors({ ...tensors(), 'z_mean/kernel': f32([400, 21]) }),
          ),
        /tensor 'z_mean\/kernel' of shape \[400,\s?20\], got \[400,\s?21\]/,
      ],
      [
        'a dtype the config does not give',
        (folder) =>
          writeFileSync(
            join(folder, 'model.safetensors'),
            encodeSafetensors({
              ...tensors(),
              'z_mean/bias': { dtype: 'int32', shape: [20], data: new Int32Array(20) },
            }),
          ),
        /tensor 'z_mean\/bias'.*float32, got int32/,
      ],
      [
        'a config of another kind',
        (folder) => writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...config(), kind: 'vqvae' })),
        /config\.json model\.dim \(a field of a vqvae config\), got none|config known keys only, got 'latentDim'/,
      ],
      [
        'a run folder’s config',
        (folder) => writeFileSync(join(folder, 'config.json'), readFileSync(join(at('vae'), 'config.json'))),
        /config\.json format 'vaejs-pytorch', got 'vaejs-run'/,
      ],
    ];

    it.each(CASES)('%s', async (_name, spoil, message) => {
      const folder = at(`bad-${_name.replace(/\W+/g, '-')}`);
      cpSync(at('exported-vae'), folder, { recursive: true });
      spoil(folder);
      const torchOut = join(folder, 'never-trained');
      const run = trainInPython(folder, ['--epochs', '1', '--out', torchOut]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(existsSync(torchOut)).toBe(false);
      const importOut = join(folder, 'never-imported');
      const imported = await runCli(['import', '--format', 'pytorch', '--from', folder, '--out', importOut, ...CPU]);
      expect(imported.code, imported.stderr).toBe(2);
      const lines = imported.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('backend: '));
      expect(lines, imported.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(existsSync(importOut)).toBe(false);
    });
  });
});

describe('vaejs export of a checkpoint written mid-epoch', () => {
  it('counts the epochs it completed, its steps and its history; the Python side trains its epoch whole', async () => {
    const root = temporaryDir('vaejs-bridge-mid-');
    const run = join(root, 'run');
    // 256 images in batches of 64: 4 steps an epoch; checkpoints after steps 3 (epoch 1, batch 3), 4 (the end of
    // epoch 1), 6 (epoch 2, batch 2) and 8 (the end of epoch 2)
    const args = ['--limit', '256', '--test-limit', '100', '--batch-size', '64', '--checkpoint-every', '3'];
    await ok(['train', ...args, '--epochs', '2', '--out', run, ...CPU]);
    const middle = join(run, 'checkpoints', 'step-00000006');
    expect(JSON.parse(readFileSync(join(middle, 'checkpoint.json'), 'utf8'))).toMatchObject({ epoch: 2, batch: 2 });
    const out = join(root, 'exported');
    await ok(['export', '--format', 'pytorch', '--run', middle, '--out', out, ...CPU]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.training).toMatchObject({ epoch: 1, step: 6 });
    expect(config.training.history.map((record: { epoch: number }) => record.epoch)).toEqual([1]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('after epoch 1 of its run');
    if (python === null) return;
    const trained = trainInPython(out, [...args.slice(0, 6), '--epochs', '1', '--out', join(root, 'trained')]);
    expect(trained.status, trained.stderr).toBe(0);
    expect(lastRecord(join(root, 'trained')).epoch).toBe(2);
    const steps = readFileSync(join(root, 'trained', 'steps.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(steps.map((step) => [step.epoch, step.step])).toEqual([
      [2, 7],
      [2, 8],
      [2, 9],
      [2, 10],
    ]);
  }, 300_000);
});
