#!/usr/bin/env node
// Issue-3 benchmarks: quality against published figures, throughput with FLOPs, memory per epoch.
// Prints named figures; never passes or fails. Needs `pnpm build` first (pnpm bench does it). Runs the built `vaejs`
// CLI of @vaejs/trainer and imports the packages by name.
//   node benchmarks/trainer/quality.bench.mjs [--only=mlp|conv|speed|seeds|parity] [--seeds=1,2,3] [--parity-dump=DIR]
//     [--threads=N] [--epochs=10] [--conv-epochs=10] [--conv-data=both|grey|binary] [--iwae-k=1000]
//     [--iwae-images=1000] [--limit=0] [--test-limit=0] [--speed-limit=12800]
// --limit/--test-limit (0: all, the default) shorten the mlp and conv runs for a quick look; the published figures
// quoted beside them are for the whole of MNIST. The seeds and parity runs always train on the whole set, as PyTorch's.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, figure, findTorch, jsonLines, median, metrics, runReference, vaejs } from './lib.mjs';
import { replayPytorchRun } from './parity.mjs';

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values) =>
  values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean(values)) ** 2, 0) / (values.length - 1));

const only = args.only;
/** The training and test images of the mlp and conv runs (0: all). */
const dataFlags = ['--limit', String(Number(args.limit ?? 0)), '--test-limit', String(Number(args['test-limit'] ?? 0))];
const work = mkdtempSync(join(tmpdir(), 'vaejs-bench-'));

// FLOPs per image of a forward pass (2 × multiply-accumulates), as @vaejs/vae counts them; ×3 for a training step.
async function flops(config) {
  await import('@tensorflow/tfjs-backend-cpu');
  const tf = await import('@tensorflow/tfjs-core');
  await tf.setBackend('cpu');
  const { createVae, experimental_vaeFlops } = await import('@vaejs/vae');
  const vae = createVae(config);
  const { total } = experimental_vaeFlops(vae);
  vae.dispose();
  return total;
}

try {
  if (!only || only === 'mlp') {
    const epochs = Number(args.epochs ?? 10);
    console.log(
      `\n== PyTorch examples/vae MLP VAE on MNIST (784-400-20, Bernoulli, Adam 1e-3, batch 128), ${epochs} epochs ==`,
    );
    const run = join(work, 'mlp');
    const { seconds } = vaejs([
      'train',
      '--model',
      'vae',
      '--arch',
      'mlp',
      '--hidden',
      '400',
      '--latent-dim',
      '20',
      '--likelihood',
      'bernoulli',
      '--lr',
      '0.001',
      '--batch-size',
      '128',
      '--epochs',
      String(epochs),
      ...dataFlags,
      '--out',
      run,
    ]);
    const lines = metrics(run);
    for (const line of lines) {
      const note = line.epoch === 1 ? 'PyTorch: 126.9' : line.epoch === 10 ? 'PyTorch: 105.2' : '';
      figure(`mlp vae test loss after epoch ${line.epoch} (nats/image)`, line.test_loss, note);
    }
    figure('mlp vae train images/s (median epoch)', median(lines.map((l) => l.images_per_sec)), lines[0].backend);
    figure('mlp vae run wall time (s)', seconds, 'whole command: data, training, pictures, checkpoints');
    figure('mlp vae RSS per epoch (MB)', lines.map((l) => l.rss_mb).join(' '), 'must not grow');
    figure('mlp vae peak RSS (MB)', Math.max(...lines.map((l) => l.rss_mb)), 'target < 1536');
  }
  if (!only || only === 'conv') {
    const epochs = Number(args['conv-epochs'] ?? 10);
    const k = Number(args['iwae-k'] ?? 1000);
    const images = Number(args['iwae-images'] ?? 1000);
    const data = args['conv-data'] ?? 'both';
    // Trains the default conv VAE with `extra` flags; prints its throughput, wall time and memory; returns its metrics.
    const convRun = (label, extra) => {
      const run = join(work, `conv-${label}`);
      const { seconds } = vaejs([
        'train',
        '--model',
        'vae',
        '--arch',
        'conv',
        ...extra,
        '--epochs',
        String(epochs),
        ...dataFlags,
        '--out',
        run,
      ]);
      const lines = metrics(run);
      const rss = lines.map((l) => l.rss_mb);
      figure(
        `conv vae (${label}) train images/s (median epoch)`,
        median(lines.map((l) => l.images_per_sec)),
        lines[0].backend,
      );
      figure(`conv vae (${label}) run wall time (s)`, seconds);
      figure(`conv vae (${label}) peak RSS (MB)`, Math.max(...rss), `per epoch: ${rss.join(' ')}; must not grow`);
      return { run, lines };
    };
    // Grey levels: the data the MLP row above trains on, so the two test losses compare directly.
    if (data === 'both' || data === 'grey') {
      console.log(`\n== default conv VAE on grey-level MNIST (as the MLP above), ${epochs} epochs ==`);
      const { lines } = convRun('grey', []);
      for (const line of lines) {
        const note = line.epoch === 10 ? 'MLP VAE, PyTorch: 105.2' : '';
        figure(`conv vae (grey) test loss after epoch ${line.epoch} (nats/image)`, line.test_loss, note);
      }
    }
    // Dynamically binarised: the data published likelihoods (IWAE paper) are measured on.
    if (data === 'both' || data === 'binary') {
      console.log(
        `\n== default conv VAE on dynamically binarised MNIST, ${epochs} epochs; IWAE k=${k} on the first ${images || 10000} test images ==`,
      );
      const { run, lines } = convRun('binarised', ['--binarize', 'dynamic']);
      figure(
        'conv vae (binarised) test loss (-ELBO, nats/image)',
        lines.at(-1).test_loss,
        'one Bernoulli draw per test image',
      );
      const started = performance.now();
      const evaluation = JSON.parse(
        vaejs(['eval', '--run', run, '--iwae-k', String(k), '--binarize', '--limit', String(images), '--json']).stdout,
      );
      figure('conv vae test -ELBO, binarised (nats)', evaluation.negative_elbo);
      figure(
        `conv vae IWAE k=${k} -log p(x) (nats)`,
        evaluation.iwae_nll,
        'published MLP VAEs 87-90; IWAE paper 1-layer VAE 86.76',
      );
      figure(`conv vae IWAE bits/dim`, evaluation.bits_per_dim);
      figure(`conv vae IWAE eval wall time (s)`, (performance.now() - started) / 1000, `${images || 10000} images`);
    }
  }
  // Seed noise, ours and PyTorch's own example on this machine (Debian's python3-torch, when installed).
  if (only === 'seeds' || only === 'parity') {
    const seeds = (args.seeds ?? '1,2,3').split(',').map(Number);
    const epochs = Number(args.epochs ?? 10);
    const threads = String(args.threads ?? 1);
    const { resolveMnistDataDir } = await import('@vaejs/datasets');
    const data = resolveMnistDataDir();
    const torch = findTorch();
    const hasTorch = torch !== null;
    const pytorchRun = (seed, extra = []) =>
      runReference(torch.python, 'pytorch_vae.py', [
        '--data',
        data,
        '--seed',
        String(seed),
        '--epochs',
        String(epochs),
        '--threads',
        threads,
        ...extra,
      ]);
    if (only === 'parity') {
      // One PyTorch run (seed of --seeds' first) dumps its draws; vaejs trains on exactly those draws.
      const seed = seeds[0];
      let dump = args['parity-dump'];
      if (!dump && hasTorch) {
        dump = join(work, 'dump');
        const lines = pytorchRun(seed, ['--dump', dump]);
        writeFileSync(join(dump, 'pytorch.jsonl'), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      }
      if (!dump) {
        console.log(`\n== MLP VAE, PyTorch seed ${seed}: vaejs on PyTorch's draws ==`);
        figure(
          'same draws: vaejs test loss',
          'skipped',
          'needs python3-torch (apt install python3-torch) or --parity-dump=DIR',
        );
      } else {
        // PyTorch's own test losses of the dumped run (its test noise is dumped too, so both score the same draws).
        const theirs = existsSync(join(dump, 'pytorch.jsonl')) ? jsonLines(join(dump, 'pytorch.jsonl')) : null;
        const ours = await replayPytorchRun({ dump, epochs, threads: Number(threads) });
        console.log(
          `\n== MLP VAE, PyTorch seed ${seed}: PyTorch ${torch?.version ?? ''} and vaejs on the same initial weights, batch order and noise, ${epochs} epochs ==`,
        );
        for (const line of ours) {
          const their = theirs?.[line.epoch - 1];
          figure(
            `same draws: vaejs test loss after epoch ${line.epoch}`,
            line.test_loss,
            their
              ? `PyTorch ${their.test_loss.toFixed(2)}, difference ${(line.test_loss - their.test_loss).toFixed(2)}`
              : '',
          );
        }
      }
    } else {
      console.log(
        `\n== MLP VAE (PyTorch examples/vae), seeds ${seeds.join(', ')}, ${epochs} epochs, ${threads} thread(s): vaejs${hasTorch ? ` and PyTorch ${torch.version}` : ' (PyTorch not installed: apt install python3-torch)'} ==`,
      );
      const summary = (name, values) =>
        figure(name, mean(values), `sd ${sd(values).toFixed(2)}, runs: ${values.map((v) => v.toFixed(2)).join(' ')}`);
      const ours = [];
      const theirs = [];
      for (const seed of seeds) {
        const run = join(work, `seed-${seed}`);
        vaejs([
          'train',
          '--model',
          'vae',
          '--arch',
          'mlp',
          '--epochs',
          String(epochs),
          '--seed',
          String(seed),
          '--threads',
          threads,
          '--out',
          run,
        ]);
        ours.push(metrics(run));
        if (hasTorch) theirs.push(pytorchRun(seed));
      }
      for (const epoch of new Set([1, epochs])) {
        summary(
          `vaejs mlp vae test loss after epoch ${epoch}, mean of ${seeds.length} seeds`,
          ours.map((l) => l[epoch - 1].test_loss),
        );
        if (hasTorch) {
          summary(
            `PyTorch mlp vae test loss after epoch ${epoch}, mean of ${seeds.length} seeds`,
            theirs.map((l) => l[epoch - 1].test_loss),
          );
        }
      }
      summary(
        'vaejs mlp vae train images/s (median epoch)',
        ours.map((l) => median(l.map((m) => m.images_per_sec))),
      );
      if (hasTorch) {
        summary(
          'PyTorch mlp vae train images/s (median epoch)',
          theirs.map((l) => median(l.map((m) => m.images_per_sec))),
        );
      }
    }
  }
  if (!only || only === 'speed') {
    // images per wasm run (the cpu runs take at most as many)
    const speedLimit = Number(args['speed-limit'] ?? 12800);
    console.log(`\n== training throughput, batch 128, 1 epoch of ${speedLimit.toLocaleString('en')} MNIST images ==`);
    const models = [
      {
        name: 'mlp vae',
        flags: ['--arch', 'mlp', '--hidden', '400', '--latent-dim', '20'],
        config: { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 },
      },
      {
        name: 'conv vae (default)',
        flags: ['--arch', 'conv'],
        config: { inputShape: [28, 28, 1], latentDim: 16, arch: 'conv' },
      },
    ];
    for (const model of models) {
      const forward = await flops(model.config);
      figure(`${model.name} FLOPs per image (forward; x3 for a step)`, forward / 1e6, 'MFLOP');
      for (const [backend, fast, limit] of [
        ['wasm', false, speedLimit],
        ['wasm', true, speedLimit],
        ['cpu', false, Math.min(speedLimit, model.name.startsWith('conv') ? 256 : 2560)],
      ]) {
        if (backend === 'wasm' && !fast && model.name.startsWith('conv')) {
          figure(`${model.name} images/s on stock wasm`, 'cannot train', 'stock wasm has no Conv2DBackpropFilter');
          continue;
        }
        const run = join(work, `speed-${model.name.split(' ')[0]}-${backend}-${fast}`);
        vaejs([
          'train',
          '--model',
          'vae',
          ...model.flags,
          '--epochs',
          '1',
          '--limit',
          String(limit),
          '--test-limit',
          '500',
          '--backend',
          backend,
          fast ? '--fast' : '--no-fast',
          '--out',
          run,
        ]);
        const [line] = metrics(run);
        const label = backend === 'wasm' ? (fast ? 'fast wasm' : 'stock wasm') : 'cpu';
        figure(
          `${model.name} images/s on ${label}`,
          line.images_per_sec,
          `${((line.images_per_sec * 3 * forward) / 1e9).toFixed(2)} GFLOP/s, ${line.backend}`,
        );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
