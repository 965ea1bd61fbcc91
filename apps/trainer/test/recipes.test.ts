import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir, writeTinyIdxDataset } from './fixtures';
import { runCli } from './run-cli';

const RECIPES = join(import.meta.dirname, '..', 'recipes');
const names = readdirSync(RECIPES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))
  .sort();
const recipe = (name: string) => JSON.parse(readFileSync(join(RECIPES, `${name}.json`), 'utf8'));
const savedFlags = (run: string) => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).app.flags;
// One epoch on a tiny dataset on cpu: the recipe's model and settings, not its length or data.
const SHORT = ['--epochs', '1', '--backend', 'cpu'];

describe('the recipes that come with vaejs (--config <name>)', () => {
  let data: string;
  let codes: string;

  beforeAll(async () => {
    data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'), 64, 16);
    const vq = join(temporaryDir(), 'vq');
    const trained = await runCli(['train', '--config', 'mnist-vqvae', ...SHORT, '--dataset', data, '--out', vq]);
    expect(trained.code, trained.stderr).toBe(0);
    codes = join(temporaryDir(), 'codes');
    const encoded = await runCli(['encode', '--run', vq, '--out', codes, '--backend', 'cpu']);
    expect(encoded.code, encoded.stderr).toBe(0);
  });

  it('are the MNIST and Fashion-MNIST VQ-VAEs (each quantiser), priors and conv VAE, each listed by --help', async () => {
    const vqvae = ['fsq', 'lfq', 'rvq', 'vqvae', 'vqvae-rotation'];
    const expected = [
      ...['conv-vae', 'prior-conditional', ...vqvae].map((name) => `fashion-mnist-${name}`),
      ...['conv-vae', 'prior', 'prior-conditional', ...vqvae].map((name) => `mnist-${name}`),
    ];
    expect(names).toEqual([...expected].sort());
    expect(names.length).toBe(15);
    // each command's --help lists its own recipes only
    const help = async (args: string[]) => (await runCli([...args, '--help'])).stdout.replace(/\s+/g, ' ');
    const trainHelp = await help(['train']);
    const priorHelp = await help(['prior', 'train']);
    const sampleHelp = await help(['sample']);
    for (const name of names) {
      expect(trainHelp.includes(name), name).toBe(!name.includes('prior'));
      expect(priorHelp.includes(name), name).toBe(name.includes('prior'));
      expect(sampleHelp).not.toContain(name);
    }
  });

  it('a recipe of another command is refused in one line that says whose it is', async () => {
    const wrong = await runCli([
      'prior',
      'train',
      '--config',
      'mnist-vqvae',
      '--codes',
      codes,
      '--out',
      join(temporaryDir(), 'p'),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(
      "vaejs prior train: expected --config a recipe of vaejs prior train (fashion-mnist-prior-conditional, mnist-prior, mnist-prior-conditional), got 'mnist-vqvae', a recipe of vaejs train.",
    );
    const twice = join(temporaryDir(), 'twice.json');
    writeFileSync(twice, JSON.stringify({ model: 'vqvae', codebookSize: 128, 'codebook-size': 64 }));
    const conflict = await runCli(['train', '--config', twice, '--out', join(temporaryDir(), 'c')]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr.trim()).toBe(
      `vaejs train: expected one value per flag in ${twice}, got 'codebookSize': 128 and 'codebook-size': 64.`,
    );
    const empty = await runCli(['train', '--config', '', '--out', join(temporaryDir(), 'e')]);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toMatch(
      /^vaejs train: expected --config an existing JSON file or a recipe \(.*\), got '' \(not found\)\.$/,
    );
  });

  for (const name of names.filter((n) => !n.includes('prior'))) {
    it(`${name}: vaejs train --config ${name} trains that model (flags given win)`, async () => {
      const run = join(temporaryDir(), name);
      const result = await runCli(['train', '--config', name, ...SHORT, '--dataset', data, '--out', run]);
      expect(result.code, result.stderr).toBe(0);
      const flags = savedFlags(run);
      const { epochs: _epochs, dataset: _dataset, ...rest } = recipe(name);
      expect(flags).toMatchObject(rest);
      expect(flags.epochs).toBe(1);
      expect(flags.dataset).toBe(data);
      const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
      // 7 bits a position for VQ, FSQ [8, 4, 4] and LFQ; residual VQ: 2 levels of 64 codes
      const quantizer = (rest.quantizer ?? 'vq') as 'vq' | 'fsq' | 'lfq' | 'rvq';
      const sizes = { vq: [128, 16], fsq: [128, 3], lfq: [128, 7], rvq: [64, 16] }[quantizer];
      const kind = { kind: quantizer, ...(rest.rotationTrick ? { gradient: 'rotation' } : {}) };
      if (rest.model === 'vqvae') {
        expect(config.model).toMatchObject({ codebookSize: sizes[0], dim: sizes[1], quantizer: kind });
        // the decoder's output starts at the training pixels' mean
        expect(config.model.dataMean).toBeGreaterThan(0);
        expect(config.model.dataMean).toBeLessThan(1);
        if (quantizer === 'fsq' || quantizer === 'lfq') {
          // eval's table says what the quantiser's scores mean
          const table = await runCli(['eval', '--run', run, '--limit', '16', '--backend', 'cpu']);
          expect(table.code, table.stderr).toBe(0);
          expect(table.stdout).toMatch(
            quantizer === 'fsq'
              ? /^codebook +0 +0: FSQ has no codebook loss$/m
              : /^codebook +\S+ +the entropy penalty: /m,
          );
        }
      } else expect(config.model).toMatchObject({ arch: 'conv', latentDim: 32, filters: [32, 64] });
    });
  }

  for (const name of names.filter((n) => n.includes('prior'))) {
    it(`${name}: vaejs prior train --config ${name} trains that prior`, async () => {
      const run = join(temporaryDir(), name);
      const few = ['--limit', '16', '--test-limit', '8', '--batch-size', '8'];
      const result = await runCli([
        'prior',
        'train',
        '--config',
        name,
        ...SHORT,
        ...few,
        '--codes',
        codes,
        '--out',
        run,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const { epochs: _epochs, batchSize: _batchSize, ...rest } = recipe(name);
      expect(savedFlags(run)).toMatchObject(rest);
      const model = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).model;
      expect(model).toMatchObject({ layers: 6, channels: 64, numClasses: rest.conditional ? 4 : 0 });
    });
  }

  it('a name that is no file and no recipe: one line naming the recipes, with a guess, exit 2', async () => {
    const result = await runCli(['train', '--config', 'mnist-vqvea', '--out', join(temporaryDir(), 'x')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^vaejs train: expected --config an existing JSON file or a recipe \(fashion-mnist-conv-vae, .*, mnist-vqvae-rotation\), got 'mnist-vqvea' \(not found; did you mean mnist-vqvae\?\)\.$/,
    );
  });
});
