import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative as relativePath } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { findLatestCheckpoint } from '@vaejs/training';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVAL_FIELDS, temporaryDir, writeTinyIdxDataset } from './fixtures';
import { runCli } from './run-cli';

const MLP = [
  '--model',
  'vae',
  '--arch',
  'mlp',
  '--hidden',
  '32',
  '--latent-dim',
  '2',
  '--batch-size',
  '16',
  '--lr',
  '0.01',
  '--backend',
  'cpu',
];

function metrics(run: string): Record<string, number | string>[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

function pngSize(path: string): [number, number] {
  const png = PNG.sync.read(readFileSync(path));
  return [png.width, png.height];
}

describe('vaejs train, eval, sample (MLP VAE on a tiny IDX dataset, cpu backend)', () => {
  let data: string;
  let run: string;

  beforeAll(async () => {
    data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'));
    run = join(temporaryDir(), 'run');
    const result = await runCli(['train', ...MLP, '--dataset', data, '--epochs', '3', '--out', run]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: cpu/m);
  });

  it('writes config, one metrics line per epoch, pictures and checkpoints', () => {
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    expect(config.model).toMatchObject({
      kind: 'vae',
      arch: 'mlp',
      latentDim: 2,
      inputShape: [8, 8, 1],
      init: 'pytorch',
    });
    expect(config.app.flags).toMatchObject({ epochs: 3, batchSize: 16, lr: 0.01, model: 'vae', arch: 'mlp' });
    expect(config.fit).toMatchObject({ epochs: 3, batchSize: 16, learningRate: 0.01, seed: 0 });
    const lines = metrics(run);
    expect(lines.map((line) => line.epoch)).toEqual([1, 2, 3]);
    for (const line of lines) {
      for (const key of ['train_loss', 'test_loss', 'recon', 'kl', 'images_per_sec']) {
        expect(Number.isFinite(line[key]), key).toBe(true);
      }
      expect(line.backend).toBe('cpu');
      // memory per epoch: the process holds at least its JS heap; the model's tensors are some KB, not 0 or GBs
      expect(line.rss_mb as number).toBeGreaterThanOrEqual(line.js_heap_mb as number);
      expect(Number.isInteger(line.tensor_mb)).toBe(true);
      expect(line.tensor_mb as number).toBeLessThan(64);
      expect(line.wasm_mb).toBeUndefined(); // cpu backend: no wasm memory to report
      expect((line.recon as number) + (line.kl as number)).toBeCloseTo(line.train_loss as number, 3);
    }
    // 64 pixels of a 4-class toy set: the test loss must fall as the model learns
    expect(lines[2]!.test_loss).toBeLessThan(lines[0]!.test_loss as number);
    // 64 samples of 8×8 at scale 2 with 1-pixel gaps, 8 columns: 8·17 + 1 pixels a side
    expect(pngSize(join(run, 'samples.png'))).toEqual([137, 137]);
    expect(pngSize(join(run, 'pictures', 'epoch-003-samples.png'))).toEqual([137, 137]);
    expect(existsSync(join(run, 'reconstructions.png'))).toBe(true);
    expect(pngSize(join(run, 'latent-grid.png'))).toEqual([20 * 9 + 1, 20 * 9 + 1]);
    expect(pngSize(join(run, 'loss.png'))).toEqual([960, 600]); // drawn at 2×
    expect(readFileSync(join(run, 'metrics.csv'), 'utf8').split('\n')[0]).toMatch(/^epoch,train_loss,test_loss,/);
    expect(findLatestCheckpoint(run)?.info).toMatchObject({ kind: 'vae', epoch: 3, step: 12 });
  });

  it('eval --json prints one JSON object with the ELBO parts and an IWAE estimate below the -ELBO', async () => {
    const result = await runCli(['eval', '--run', run, '--iwae-k', '20', '--backend', 'cpu', '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({ model: 'vae', examples: 32, iwae_k: 20, epoch: 3 });
    // the KL is in closed form, so the epoch's test KL and eval's agree whatever posterior samples each drew
    expect(report.kl).toBeCloseTo(metrics(run)[2]!.test_kl as number, 4);
    expect(report.loss).toBeCloseTo(report.reconstruction + report.kl, 4);
    expect(report.iwae_nll).toBeLessThanOrEqual(report.negative_elbo + 1e-3);
    expect(report.bits_per_dim).toBeCloseTo(report.iwae_nll / (64 * Math.LN2), 5);
    // the README's fields, in its order, rounded to 7 significant digits
    expect(Object.keys(report)).toEqual(EVAL_FIELDS.vae);
    expect(String(report.loss).replace(/^0\.0*|\./g, '').length).toBeLessThanOrEqual(7);
  });

  it('eval prints a table of the scores to 4 significant digits, each with what it is', async () => {
    const result = await runCli(['eval', '--run', run, '--backend', 'cpu', '--seed', '3']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse((await runCli(['eval', '--run', run, '--backend', 'cpu', '--seed', '3', '--json'])).stdout);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`vae at epoch 3 (${json.checkpoint})`);
    expect(lines[1]).toMatch(/^on \S+: 32 items; [\d.]+ s on cpu$/);
    expect(lines[3]).toMatch(/^score +value +what it is$/);
    const rows = Object.fromEntries(lines.slice(5).map((line) => line.split(/ {2,}/)));
    expect(Object.keys(rows)).toEqual(['loss', 'reconstruction', 'kl', 'negative_elbo', 'bits_per_dim']);
    for (const key of Object.keys(rows)) expect(rows[key], key).toBe(Number(json[key].toPrecision(4)).toPrecision(4));
  });

  it('eval refuses a flag that does not fit the run, as train does', async () => {
    const result = await runCli(['eval', '--run', run, '--codes', data, '--backend', 'cpu']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^vaejs eval: expected --codes only with a pixelcnn run, got it with a vae run \('.*epoch-0003'\)\.$/,
    );
  });

  it('a dynamically binarised run is tested, and evaluated by default, on one Bernoulli draw of the test images', async () => {
    const binary = join(temporaryDir(), 'binary');
    const trained = await runCli([
      'train',
      ...MLP,
      '--dataset',
      data,
      '--epochs',
      '1',
      '--binarize',
      'dynamic',
      '--out',
      binary,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const report = JSON.parse((await runCli(['eval', '--run', binary, '--backend', 'cpu', '--json'])).stdout);
    expect(report.binarized).toBe('dynamic');
    // the same images as the epoch's test pass: the closed-form KL agrees (a threshold would give other codes)
    expect(report.kl).toBeCloseTo(metrics(binary)[0]!.test_kl as number, 4);
    const grey = JSON.parse((await runCli(['eval', '--run', run, '--backend', 'cpu', '--json'])).stdout);
    expect(grey.binarized).toBe('none');
  });

  it('sample writes a grid of n images, the same for the same seed', async () => {
    const dir = temporaryDir();
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    const c = join(dir, 'c.png');
    expect(
      (await runCli(['sample', '--run', run, '-n', '9', '--seed', '4', '--out', a, '--backend', 'cpu'])).code,
    ).toBe(0);
    await runCli(['sample', '--run', run, '-n', '9', '--seed', '4', '--out', b, '--backend', 'cpu']);
    await runCli(['sample', '--run', run, '-n', '9', '--seed', '5', '--out', c, '--backend', 'cpu']);
    expect(pngSize(a)).toEqual([3 * 17 + 1, 3 * 17 + 1]);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
    const topK = await runCli([
      'sample',
      '--run',
      run,
      '--top-k',
      '2',
      '--out',
      join(dir, 'k.png'),
      '--backend',
      'cpu',
    ]);
    expect(topK.code).toBe(2);
    expect(topK.stderr).toMatch(/^vaejs sample: expected --top-k only with a PixelCNN prior, got it with a VAE\.$/m);
  });

  it('a resumed run ends exactly where an uninterrupted one does', async () => {
    const split = join(temporaryDir(), 'split');
    expect((await runCli(['train', ...MLP, '--dataset', data, '--epochs', '2', '--out', split])).code).toBe(0);
    const resumed = await runCli(['train', '--resume', '--epochs', '3', '--out', split, '--backend', 'cpu']);
    expect(resumed.code).toBe(0);
    const straight = metrics(run);
    const joined = metrics(split);
    expect(joined.map((line) => line.epoch)).toEqual([1, 2, 3]);
    expect(joined[2]!.train_loss).toBeCloseTo(straight[2]!.train_loss as number, 4);
    expect(joined[2]!.test_loss).toBeCloseTo(straight[2]!.test_loss as number, 4);
    const weights = (dir: string) => readFileSync(join(findLatestCheckpoint(dir)!.location, 'decoder', 'weights.bin'));
    expect(weights(split).equals(weights(run))).toBe(true);
  });

  it('resumes a run given its --config recipe again (same values pass, a changed one is refused)', async () => {
    const dir = temporaryDir();
    const recipe = join(dir, 'recipe.json');
    writeFileSync(
      recipe,
      JSON.stringify({ model: 'vae', arch: 'mlp', hidden: 32, latentDim: 2, batchSize: 16, lr: 0.01 }),
    );
    const split = join(dir, 'recipe-run');
    const common = ['--config', recipe, '--dataset', data, '--backend', 'cpu', '--out', split];
    expect((await runCli(['train', ...common, '--epochs', '2'])).code).toBe(0);
    const resumed = await runCli(['train', ...common, '--epochs', '3', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(metrics(split).map((line) => line.epoch)).toEqual([1, 2, 3]);
    expect(metrics(split)[2]!.test_loss).toBeCloseTo(metrics(run)[2]!.test_loss as number, 4);
    const changed = await runCli(['train', ...common, '--epochs', '4', '--resume', '--latent-dim', '3']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(
      /^vaejs train: expected --latent-dim 2 as in .*config\.json \(only --epochs, .* may change with --resume\), got --latent-dim 3\.$/m,
    );
    expect(metrics(split)).toHaveLength(3);
  });

  it('resumes from a dataset folder that has moved, given its new place with --dataset', async () => {
    const first = writeTinyIdxDataset(join(temporaryDir(), 'before'));
    const moved = join(temporaryDir(), 'after');
    const split = join(temporaryDir(), 'moved');
    expect((await runCli(['train', ...MLP, '--dataset', first, '--epochs', '1', '--out', split])).code).toBe(0);
    renameSync(first, moved);
    const resumed = await runCli(['train', '--resume', '--epochs', '2', '--dataset', moved, '--out', split]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(metrics(split).map((line) => line.epoch)).toEqual([1, 2]);
    expect(JSON.parse(readFileSync(join(split, 'config.json'), 'utf8')).app.flags.dataset).toBe(moved);
  });

  it('stops on a NaN loss with one line and keeps the last good checkpoint', async () => {
    const unstable = join(temporaryDir(), 'nan');
    expect((await runCli(['train', ...MLP, '--dataset', data, '--epochs', '1', '--out', unstable])).code).toBe(0);
    const before = readFileSync(join(unstable, 'checkpoints', 'epoch-0001', 'decoder', 'weights.bin'));
    const result = await runCli([
      'train',
      '--resume',
      '--epochs',
      '3',
      '--lr',
      '1e30',
      '--out',
      unstable,
      '--backend',
      'cpu',
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^fit: expected a finite loss while training, got (NaN|-?Infinity) at epoch 2, step \d+ .*the last good checkpoint is .*epoch-0001: lower the learning rate and resume\.$/,
    );
    expect(findLatestCheckpoint(unstable)?.info.epoch).toBe(1);
    expect(readFileSync(join(unstable, 'checkpoints', 'epoch-0001', 'decoder', 'weights.bin')).equals(before)).toBe(
      true,
    );
    expect(metrics(unstable)).toHaveLength(1);
  });

  it('on --resume: another dataset is refused, a finished run is left as it is, folders are saved absolute', async () => {
    const named = await runCli(['train', '--resume', '--epochs', '4', '--dataset', 'mnist', '--out', run]);
    expect(named.code).toBe(2);
    expect(named.stderr.trim().split('\n').at(-1)).toBe(
      `vaejs train: expected --dataset ${data}, the run's own data (only a moved folder may be given with --resume), got --dataset mnist.`,
    );
    const smaller = writeTinyIdxDataset(join(temporaryDir(), 'smaller'), 32);
    const other = await runCli(['train', '--resume', '--epochs', '4', '--dataset', smaller, '--out', run]);
    expect(other.code).toBe(2);
    expect(other.stderr.trim().split('\n').at(-1)).toBe(
      `vaejs train: expected --dataset with the run's 64 training and 32 test images, got '${smaller}' with 32 and 16.`,
    );
    const before = readFileSync(join(run, 'config.json'), 'utf8');
    const finished = await runCli(['train', '--resume', '--epochs', '2', '--out', run]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain(`nothing to train: ${run} is at epoch 3 and --epochs is 2 (the total to reach)`);
    expect(readFileSync(join(run, 'config.json'), 'utf8')).toBe(before);
    expect(metrics(run)).toHaveLength(3);
    // a dataset folder given relative is saved absolute, so eval and encode find it from anywhere
    const relativeRun = join(temporaryDir(), 'relative');
    const relative = await runCli([
      'train',
      ...MLP,
      '--dataset',
      relativePath(process.cwd(), data),
      '--epochs',
      '1',
      '--out',
      relativeRun,
    ]);
    expect(relative.code, relative.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(relativeRun, 'config.json'), 'utf8')).app.flags.dataset).toBe(data);
    const temperature = await runCli([
      'sample',
      '--run',
      run,
      '--temperature',
      '0.5',
      '--out',
      join(temporaryDir(), 't.png'),
      '--backend',
      'cpu',
    ]);
    expect(temperature.code).toBe(2);
    expect(temperature.stderr.trim().split('\n').at(-1)).toMatch(
      /^vaejs sample: expected --temperature only with a PixelCNN prior .*, got --temperature 0\.5 with a VAE\.$/,
    );
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const again = join(temporaryDir(), 'leak');
    expect((await runCli(['train', ...MLP, '--dataset', data, '--epochs', '2', '--out', again])).code).toBe(0);
    expect(
      (await runCli(['sample', '--run', again, '-n', '4', '--out', join(again, 's.png'), '--backend', 'cpu'])).code,
    ).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with one clear line and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['train', '--epoch', '3', '--out', 'x'],
        /^vaejs train: expected a known option \(see --help\), got '--epoch' \(did you mean --epochs\?\)\.$/,
      ],
      [['train', '--epochs', 'abc', '--out', 'x'], /^vaejs train: expected --epochs a positive integer, got 'abc'\.$/],
      [
        ['train', '--model', 'gan', '--out', 'x'],
        /^vaejs train: expected --model one of ae, dae, vae, beta-vae, cvae, vqvae, got 'gan'\.$/,
      ],
      [['train', '--epochs', '2'], /^vaejs train: expected --out <folder>, got nothing\.$/],
      [
        ['train', '--codebook-size', '64', '--out', join(temporaryDir(), 'r'), '--backend', 'cpu'],
        /^vaejs train: expected --codebook-size only with --model vqvae, got it with --model vae\.$/,
      ],
      [
        ['train', '--code-projection', '8', '--out', join(temporaryDir(), 'r'), '--backend', 'cpu'],
        /^vaejs train: expected --code-projection only with --model vqvae, got it with --model vae\.$/,
      ],
      [
        ['train', '--model', 'vqvae', '--beta', '0.5', '--out', join(temporaryDir(), 'r'), '--backend', 'cpu'],
        /^vaejs train: expected --beta only with --model vae \| beta-vae \| cvae, got it with --model vqvae\.$/,
      ],
      [
        ['train', '--dataset', '/nonexistent/folder', '--out', join(temporaryDir(), 'r'), '--backend', 'cpu'],
        /^vaejs train: expected --dataset mnist \| fashion-mnist \| an existing folder, got '\/nonexistent\/folder' \(no such folder\)\.$/,
      ],
      [
        ['train', ...MLP, '--dataset', data, '--out', run],
        /^vaejs train: expected --out a new folder \(or --resume to continue the run in it\), got '.*', which has checkpoint epoch-0003\.$/,
      ],
      [
        ['train', '--resume', '--hidden', '8', '--out', run],
        /^vaejs train: expected --hidden \d+ as in .*config\.json \(only --epochs, --lr, .* may change with --resume\), got --hidden 8\.$/,
      ],
      [
        ['eval', '--run', data],
        /^vaejs eval: expected --run a run folder with a checkpoint or a checkpoint folder, got '.*' with neither\.$/,
      ],
      [
        ['sample', '--run', run, '--label', '3', '--out', join(temporaryDir(), 's.png'), '--backend', 'cpu'],
        /^vaejs sample: expected --label nothing \(the model is unconditional\), got 3\.$/,
      ],
      [
        ['fly'],
        /^vaejs: expected a command \(train, eval, sample, encode, prior train, export, import\), got 'fly'\.$/,
      ],
      [['prior', 'trian'], /^vaejs prior: expected a command \(train\), got 'trian' \(did you mean train\?\)\.$/],
      [
        ['trian', '--out', 'x'],
        /^vaejs: expected a command \(train, eval, sample, encode, prior train, export, import\), got 'trian' \(did you mean train\?\)\.$/,
      ],
    ];
    // a library's line in the CLI's words: its flags, not the library's argument names
    const labelsOnly = temporaryDir();
    writeFileSync(join(labelsOnly, 'train-labels-idx1-ubyte'), '');
    cases.push(
      [
        ['prior', 'train', '--codes', data, '--out', join(temporaryDir(), 'p')],
        /^vaejs prior train: expected --codes '.*' code maps with codes\.json \(from vaejs encode\), got no codes\.json\.$/,
      ],
      [
        ['train', ...MLP, '--dataset', labelsOnly, '--out', join(temporaryDir(), 'r')],
        /^vaejs train: expected --dataset '.*' to hold the images file, one of train-images-idx3-ubyte, .*, got none of them\.$/,
      ],
    );
    if (!existsSync('/usr/share/datasets/fashion-mnist')) {
      cases.push([
        ['train', '--dataset', 'fashion-mnist', '--out', join(temporaryDir(), 'r'), '--backend', 'cpu'],
        /^vaejs train: expected --dataset fashion-mnist in '\/usr\/share\/datasets\/fashion-mnist' \(Debian: apt install dataset-fashion-mnist\), or --dataset <folder> of its IDX files, got no such folder\.$/,
      ]);
    }
    if (!existsSync(join(import.meta.dirname, '..', 'node_modules', '@tensorflow', 'tfjs-node-gpu'))) {
      cases.push([
        ['train', '--backend', 'node-gpu', '--out', join(temporaryDir(), 'r')],
        /^vaejs train: expected --backend node-gpu to load, got tfjs-node-gpu: not installed \(.*npm install @tensorflow\/tfjs-node-gpu\)\.$/,
      ]);
    }
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      const printed = result.stderr
        .split('\n')
        .filter((line) => line && !line.startsWith('backend:') && !line.startsWith('data:'));
      expect(printed, args.join(' ')).toHaveLength(1);
      expect(printed[0], args.join(' ')).toMatch(message);
    }
  });

  it('names a corrupt IDX file in one line', async () => {
    const corrupt = writeTinyIdxDataset(join(temporaryDir(), 'corrupt'));
    writeFileSync(join(corrupt, 'train-images-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const result = await runCli(['train', ...MLP, '--dataset', corrupt, '--out', join(temporaryDir(), 'r')]);
    expect(result.code).toBe(2);
    const printed = result.stderr.split('\n').filter((line) => line && !line.startsWith('backend:'));
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/train-images-idx3-ubyte/);
    expect(printed[0]).toMatch(/magic/);
  });

  it('--version prints the package version; --help lists every flag of a command', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version,
    );
    const result = await runCli(['train', '--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.replace(/\s+/g, ' ');
    // a boolean's default said once; required flags marked
    expect(help).not.toMatch(/\(default\) \(default: true\)/);
    expect(help).toContain('--ema VQ-VAE: EMA codebook updates (default) --no-ema');
    expect(help).toContain(
      '--resume continue the run in --out from its last checkpoint --no-resume start a new run (default)',
    );
    expect(help).toMatch(/--out <folder> run folder \([^)]*\) \(required\)/);
    // the top-level help shows examples; `vaejs prior` without its command is a usage error, as `vaejs` alone
    expect((await runCli(['--help'])).stdout).toMatch(/\nExamples:\n {2}vaejs train --out runs\/vae /);
    for (const args of [[], ['prior']]) {
      const bare = await runCli(args);
      expect(bare.code, args.join(' ')).toBe(2);
      expect(bare.stdout + bare.stderr, args.join(' ')).toMatch(/^Usage: vaejs/);
    }
    for (const flag of [
      '--model',
      '--arch',
      '--dataset',
      '--epochs',
      '--batch-size',
      '--lr',
      '--latent-dim',
      '--hidden',
      '--beta',
      '--likelihood',
      '--seed',
      '--backend',
      '--no-native',
      '--out',
      '--resume',
      '--no-resume',
      '--commitment-cost',
      '--channels',
      '--code-dim',
      '--no-ema',
      '--config',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });
});
