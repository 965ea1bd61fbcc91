#!/usr/bin/env node
// The quantiser family side by side, through the `vaejs` CLI: each row trains a VQ-VAE from a recipe
// (`--config <dataset>-vqvae`, `-vqvae-rotation`, `-fsq`, `-lfq`, `-rvq`) on MNIST and on Fashion-MNIST, and prints the test
// reconstruction MSE, the codebook use and perplexity, and the training time; for the rows named in --prior-rows it
// then encodes the codes, trains the conditional PixelCNN prior on them (`<dataset>-prior-conditional`) and prints
// its test nats per position and the sample scores of benchmarks/quality (classifier top probability, Inception-style
// score, label agreement). Ends with one markdown table. Prints figures; never passes or fails. Needs `pnpm build`.
//   node benchmarks/vqvae/quantizers.bench.mjs [--datasets=mnist,fashion-mnist] [--rows=vq,vq-rotation,fsq,lfq,rvq]
//     [--epochs=<recipe's>] [--limit=0] [--test-limit=0] [--prior-rows=vq,fsq] [--prior-epochs=<recipe's>] [--n=1000]
//     [--threads=1] [--keep=<folder>]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { args, figure, metrics, vaejs } from '../trainer/lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const datasets = (args.datasets ?? 'mnist,fashion-mnist').split(',');
const rows = (args.rows ?? 'vq,vq-rotation,fsq,lfq,rvq').split(',');
const priorRows = (args['prior-rows'] ?? 'vq,fsq').split(',');
const work = args.keep ?? mkdtempSync(join(tmpdir(), 'vaejs-bench-quantizers-'));

/** Each row: its recipe's suffix and the bits a position carries (RVQ 2 × 64 carries 12, noted apart). */
const ROWS = {
  vq: { recipe: 'vqvae', label: 'VQ, K = 128 (EMA, restarts)', bits: 7 },
  'vq-rotation': { recipe: 'vqvae-rotation', label: 'VQ, K = 128, rotation trick', bits: 7 },
  fsq: { recipe: 'fsq', label: 'FSQ [8, 4, 4]', bits: 7 },
  lfq: { recipe: 'lfq', label: 'LFQ, d = 7', bits: 7 },
  rvq: { recipe: 'rvq', label: 'RVQ 2 × 64 (12 bits)', bits: 12 },
};

const limits = [
  ...(args.limit ? ['--limit', args.limit] : []),
  ...(args['test-limit'] ? ['--test-limit', args['test-limit']] : []),
];

/** Trains one row; returns its figures. */
function trainRow(dataset, row) {
  const run = join(work, `${dataset}-${row}`);
  const epochs = args.epochs ? ['--epochs', args.epochs] : [];
  const { seconds } = vaejs([
    'train',
    '--config',
    `${dataset}-${ROWS[row].recipe}`,
    ...epochs,
    ...limits,
    '--out',
    run,
  ]);
  const last = metrics(run).at(-1);
  return {
    run,
    mse: last.test_reconstructionMse,
    usage: last.test_code_usage,
    perplexity: last.test_code_perplexity,
    seconds,
    imagesPerSecond: last.images_per_sec,
    backend: last.backend,
  };
}

/** Encodes a row's codes, trains the prior on them and scores its samples. */
function priorRow(dataset, run) {
  const codes = `${run}-codes`;
  const prior = `${run}-prior`;
  vaejs(['encode', '--run', run, '--out', codes, ...limits]);
  const epochs = args['prior-epochs'] ? ['--epochs', args['prior-epochs']] : [];
  const recipe = `${dataset}-prior-conditional`;
  vaejs(['prior', 'train', '--config', recipe, '--codes', codes, ...epochs, '--out', prior]);
  const nats = metrics(prior).at(-1).test_loss;
  const scores = sampleScores(dataset, prior);
  return { nats, ...scores };
}

/** Runs benchmarks/quality/samples.bench.mjs on a prior run and reads its sample figures. */
function sampleScores(dataset, prior) {
  const script = join(here, '..', 'quality', 'samples.bench.mjs');
  const out = execFileSync(
    process.execPath,
    [
      script,
      `--run=${prior}`,
      `--dataset=${dataset}`,
      `--n=${args.n ?? 1000}`,
      ...(args.threads ? [`--threads=${args.threads}`] : []),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // its figure lines: `<name padded to 68> <value>  (<note>)`
  const read = (name) => {
    const line = out.split('\n').find((text) => text.startsWith(name));
    return line === undefined ? Number.NaN : Number.parseFloat(line.slice(68));
  };
  return {
    top: read('mean top-class probability: samples'),
    inception: read('Inception-style score: samples'),
    agreement: read('samples classified as the class asked for (%)') / 100,
  };
}

const table = [];
try {
  for (const dataset of datasets) {
    for (const row of rows) {
      if (!ROWS[row])
        throw new Error(`quantizers.bench: expected --rows of ${Object.keys(ROWS).join(', ')}, got '${row}'.`);
      const trained = trainRow(dataset, row);
      const label = `${dataset} ${ROWS[row].label}:`;
      figure(`${label} test reconstruction MSE per pixel`, trained.mse);
      figure(`${label} test code use (%)`, trained.usage * 100);
      figure(`${label} test code perplexity`, trained.perplexity);
      figure(
        `${label} training run (s)`,
        trained.seconds,
        `${trained.imagesPerSecond.toFixed(0)} images/s, ${trained.backend}`,
      );
      const prior = priorRows.includes(row) ? priorRow(dataset, trained.run) : null;
      if (prior) {
        figure(`${label} prior test nats per position`, prior.nats);
        figure(`${label} samples: classifier top probability`, prior.top);
        figure(`${label} samples: Inception-style score`, prior.inception);
        figure(`${label} samples: label agreement`, prior.agreement);
      }
      table.push({ dataset, row, bits: ROWS[row].bits, label: ROWS[row].label, ...trained, prior });
    }
  }
} finally {
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}

const cell = (value, digits) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
console.log(
  '\n| data set | quantiser | bits | test MSE | code use | perplexity | train s | prior nats/pos | top p | IS | label agr. |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of table) {
  const p = r.prior ?? {};
  console.log(
    `| ${r.dataset} | ${r.label} | ${r.bits} | ${cell(r.mse, 4)} | ${cell(r.usage * 100, 1)} % | ${cell(r.perplexity, 1)} | ${cell(r.seconds, 0)} | ${cell(p.nats, 3)} | ${cell(p.top, 3)} | ${cell(p.inception, 2)} | ${cell(p.agreement, 3)} |`,
  );
}
