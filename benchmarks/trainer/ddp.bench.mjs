#!/usr/bin/env node
// The PyTorch bridge's DDP run against one process: one model exported by `vaejs export --format pytorch`, trained by
// `python -m vaejs_torch.train` on the same data with the same global batch, once alone and once under
// `torchrun --nproc_per_node=N` (gloo), for several seeds. Prints each run's epoch losses, the largest step-by-step
// difference between DDP and one process of the same seed, and the seed spread (the largest minus the smallest loss
// across seeds at each step, averaged over the steps). Never passes or fails. The root README quotes its figures.
//   node benchmarks/trainer/ddp.bench.mjs [--model=vqvae|vae] [--seeds=1,2,3] [--limit=4096] [--epochs=1]
//     [--batch-size=128] [--test-limit=1000] [--processes=2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { torchEnv } from '../torch-anchor.mjs';
import { args, figure, findTorch, jsonLines, vaejs } from './lib.mjs';

const model = args.model ?? 'vqvae';
const seeds = (args.seeds ?? '1,2,3').split(',').map(Number);
const limit = Number(args.limit ?? 4096);
const epochs = Number(args.epochs ?? 1);
const batchSize = Number(args['batch-size'] ?? 128);
const testLimit = Number(args['test-limit'] ?? 1000);
const processes = Number(args.processes ?? 2);
const torch = findTorch(args.python);
if (!torch)
  throw new Error('ddp bench: expected a python with torch (VAEJS_BENCH_PYTHON or /usr/bin/python3), got none.');
const work = mkdtempSync(join(tmpdir(), 'vaejs-bench-ddp-'));

/** torchrun as `python -m torch.distributed.run`, with the flags Debian's torch 1.13 on Python 3.11 needs. */
function launcher() {
  const probe = spawnSync(
    torch.python,
    ['-c', 'import sys, torch; print(sys.version_info[:2] >= (3, 11) and int(torch.__version__.split(".")[0]) < 2)'],
    { encoding: 'utf8' },
  );
  const workaround = probe.stdout.trim() === 'True' ? ['--redirects', '2', '--tee', '2'] : [];
  return ['-m', 'torch.distributed.run', `--nproc_per_node=${processes}`, ...workaround];
}

function train(exported, seed, distributed) {
  const out = join(work, `${distributed ? 'ddp' : 'one'}-${seed}`);
  const flags = [
    '--model',
    exported,
    '--dataset',
    'mnist',
    '--limit',
    String(limit),
    '--test-limit',
    String(testLimit),
  ];
  flags.push('--epochs', String(epochs), '--batch-size', String(batchSize), '--seed', String(seed), '--out', out);
  const argv = [...(distributed ? launcher() : []), '-m', 'vaejs_torch.train', ...flags];
  const started = performance.now();
  const run = spawnSync(torch.python, argv, {
    encoding: 'utf8',
    env: { ...torchEnv(1, { allocator: true }), PYTHONPATH: join(exported, 'python'), OPENBLAS_VERBOSE: '0' },
  });
  if (run.status !== 0) throw new Error(`ddp bench: vaejs_torch.train failed\n${run.stderr}`);
  const seconds = (performance.now() - started) / 1000;
  return {
    steps: jsonLines(join(out, 'steps.jsonl')).map((s) => s.loss),
    epochs: jsonLines(join(out, 'metrics.jsonl')),
    seconds,
  };
}

try {
  const run = join(work, 'run');
  const source = model === 'vqvae' ? ['--config', 'mnist-vqvae'] : ['--model', 'vae'];
  vaejs(['train', ...source, '--epochs', '1', '--limit', '1024', '--test-limit', '500', '--out', run]);
  const exported = join(work, 'exported');
  vaejs(['export', '--format', 'pytorch', '--run', run, '--out', exported]);
  const one = new Map();
  const ddp = new Map();
  for (const seed of seeds) {
    one.set(seed, train(exported, seed, false));
    ddp.set(seed, train(exported, seed, true));
  }
  console.log(
    `\n${model}: ${limit} MNIST images, ${epochs} epoch(s), global batch ${batchSize}, torch ${torch.version}`,
  );
  console.log('| seed | run | train loss (last epoch) | test loss | epoch s | wall s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const seed of seeds) {
    for (const [label, result] of [
      ['1 process', one.get(seed)],
      [`DDP, ${processes} processes (gloo)`, ddp.get(seed)],
    ]) {
      const last = result.epochs.at(-1);
      const cells = [
        last.train_loss.toFixed(4),
        last.test_loss.toFixed(4),
        last.seconds.toFixed(1),
        result.seconds.toFixed(1),
      ];
      console.log(`| ${seed} | ${label} | ${cells.join(' | ')} |`);
    }
  }
  const steps = one.get(seeds[0]).steps.length;
  let ddpGap = 0;
  for (const seed of seeds) {
    one.get(seed).steps.forEach((loss, i) => {
      ddpGap = Math.max(ddpGap, Math.abs(loss - ddp.get(seed).steps[i]));
    });
  }
  let spread = 0;
  let lastSpread = 0;
  for (let i = 0; i < steps; i++) {
    const losses = seeds.map((seed) => one.get(seed).steps[i]);
    const range = Math.max(...losses) - Math.min(...losses);
    spread += range / steps;
    if (i >= steps - Math.ceil(steps / 4)) lastSpread += range / Math.ceil(steps / 4);
  }
  console.log('');
  figure(
    `${model}: largest |DDP − 1 process| train loss, same seed, any step`,
    ddpGap.toExponential(1),
    `${steps} steps × ${seeds.length} seeds`,
  );
  figure(`${model}: seed spread of the train loss (max − min over ${seeds.length} seeds), mean over steps`, spread);
  figure(`${model}: seed spread of the train loss, mean over the last quarter of the steps`, lastSpread);
} finally {
  rmSync(work, { recursive: true, force: true });
}
