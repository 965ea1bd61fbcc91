#!/usr/bin/env node
// The VQ-VAE through the `vaejs` CLI: test MSE / data variance against the Keras example's 0.0444, codebook use with
// and without EMA + dead-code restarts, throughput per backend. Prints named figures; never passes or fails.
//   node benchmarks/trainer/vqvae.bench.mjs [--only=quality|speed] [--variants=ema,plain] [--limit=12000] [--epochs=2]
//     [--test-limit=2000] [--codebook-size=128] [--speed-limit=2560] [--cpu-limit=128]
//     [--threads=1]
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, figure, median, metrics, vaejs } from './lib.mjs';

const only = args.only;
const limit = Number(args.limit ?? 12000);
const epochs = Number(args.epochs ?? 2);
const testLimit = Number(args['test-limit'] ?? 2000);
const codebookSize = Number(args['codebook-size'] ?? 128);
const threads = Number(args.threads ?? 1);
// tfjs-backend-cpu trains this conv model at well under 1 image/s: one batch is enough for the rate.
const cpuLimit = Number(args['cpu-limit'] ?? 128);
const wasmLimit = Number(args['speed-limit'] ?? 2560);
const work = mkdtempSync(join(tmpdir(), 'vaejs-bench-vq-'));
const cacheDir = join(tmpdir(), 'vaejs-bench-cache');

/** Variance of MNIST training pixels scaled to [0, 1] (the Keras example divides the MSE by it). */
async function mnistPixelVariance() {
  const { loadMnist } = await import('@vaejs/datasets');
  const { images } = loadMnist({ split: 'train' });
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < images.length; i++) {
    const v = images[i] / 255;
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / images.length;
  return sumSq / images.length - mean * mean;
}

const trainFlags = (extra) => [
  'train',
  '--model',
  'vqvae',
  '--codebook-size',
  String(codebookSize),
  '--epochs',
  String(epochs),
  '--limit',
  String(limit),
  '--test-limit',
  String(testLimit),
  '--backend',
  'wasm',
  '--threads',
  String(threads),
  ...extra,
];

try {
  if (!only || only === 'quality') {
    const variance = await mnistPixelVariance();
    console.log(
      `\n== VQ-VAE on MNIST (K=${codebookSize}, D=16, 7x7 codes, batch 128, Adam 1e-3), ${epochs} epochs on ${limit || 60000} training images, test on ${testLimit || 10000}; wasm, ${threads} thread(s) ==`,
    );
    figure('MNIST training pixel variance ([0,1] pixels)', variance, 'Keras example divides its MSE by this');
    const variants = [
      { name: 'EMA + dead-code restart', key: 'ema', flags: ['--ema', '--restart-threshold', '1'] },
      { name: 'plain codebook loss', key: 'plain', flags: ['--no-ema', '--restart-threshold', '0'] },
    ];
    // --variants=ema or --variants=plain runs one (two benches can then share the cores); default both.
    const chosen = (args.variants ?? 'ema,plain').split(',');
    const results = [];
    for (const variant of variants.filter((v) => chosen.includes(v.key))) {
      const run = join(work, variant.key);
      const { seconds } = vaejs(trainFlags([...variant.flags, '--out', run]));
      const lines = metrics(run);
      results.push({ variant, lines, seconds });
      if (variant.key === 'ema') {
        const cached = join(cacheDir, 'vqvae-run');
        rmSync(cached, { recursive: true, force: true });
        mkdirSync(cacheDir, { recursive: true });
        cpSync(run, cached, { recursive: true });
      }
    }
    console.log('');
    for (const { variant, lines, seconds } of results) {
      const last = lines.at(-1);
      const label = `vqvae ${variant.name}:`;
      for (const line of lines) {
        figure(
          `${label} epoch ${line.epoch} test MSE per pixel`,
          line.test_reconstructionMse,
          `train ${line.reconstructionMse.toFixed(4)}, usage ${(line.test_code_usage * 100).toFixed(1)}%`,
        );
      }
      figure(`${label} test MSE / data variance`, last.test_reconstructionMse / variance, 'Keras example: 0.0444');
      figure(
        `${label} codebook in use on ${testLimit || 10000} test images (%)`,
        last.test_code_usage * 100,
        `${Math.round(last.test_code_usage * codebookSize)} of ${codebookSize} codes`,
      );
      figure(`${label} test code perplexity`, last.test_code_perplexity, `of at most ${codebookSize}`);
      figure(`${label} train images/s (median epoch)`, median(lines.map((l) => l.images_per_sec)), last.backend);
      figure(`${label} run wall time (s)`, seconds, 'data, training, test, pictures, checkpoints');
    }
  }
  if (!only || only === 'speed') {
    console.log('\n== VQ-VAE training throughput, batch 128, default model (EMA + restarts) ==');
    for (const [backend, count] of [
      ['wasm', wasmLimit],
      ['cpu', cpuLimit],
    ]) {
      const run = join(work, `speed-${backend}`);
      vaejs([
        'train',
        '--model',
        'vqvae',
        '--epochs',
        '1',
        '--limit',
        String(count),
        '--test-limit',
        '256',
        '--backend',
        backend,
        ...(backend === 'wasm' ? ['--threads', String(threads)] : []),
        '--out',
        run,
      ]);
      const [line] = metrics(run);
      figure(`vqvae train images/s on ${backend} (${count} images, 1 epoch)`, line.images_per_sec, line.backend);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
