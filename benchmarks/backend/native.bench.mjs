// Native kernels against PyTorch, side by side in one run: training steps of the MLP VAE (PyTorch examples/vae,
// 784-400-20), vaejs' default conv VAE and its PyTorch twin (reference/pytorch_speed.py), the VQ-VAE and the PixelCNN
// prior, each on PyTorch (Debian's python3-torch, its OpenBLAS on the kernel for this CPU), vaejs with the native
// kernels, vaejs on the wasm fast path, and tfjs-node where it is installed. Batch 128, Adam 1e-3, random inputs.
// Each measurement runs in its own process, one after the other, model by model (so the ratios compare figures taken
// minutes apart at most; other jobs on the machine still move them: compare ratios, and CPU ms/step above all).
// Each row is the median of --rounds rounds (each round runs every framework once, in turn).
//   pnpm build && node benchmarks/backend/native.bench.mjs [--seconds=5] [--rounds=3] [--threads=1]
//     [--only=mlp,conv,vqvae,prior] [--blas-core=SkylakeX]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const threads = Number(args.threads ?? 1);
const rounds = Number(args.rounds ?? 3);
const batch = Number(args.batch ?? 128);
const only = args.only ? args.only.split(',') : ['mlp', 'conv', 'vqvae', 'prior'];
const here = dirname(fileURLToPath(import.meta.url));

/** One vaejs measurement, in this process: `{ kind: 'native' | 'wasm' | 'node', model }`. */
async function measure({ kind, model: modelName }) {
  const tf = await import('@tensorflow/tfjs-core');
  const { setupBackend } = await import('@vaejs/backend');
  tf.env().set('PROD', true);
  const setup =
    kind === 'node'
      ? await setupBackend({ backend: 'node' })
      : await setupBackend({ backend: 'wasm', native: kind === 'native' ? true : false, threads });
  const optimizer = tf.train.adam(1e-3);
  let step;
  let perStep = batch;
  if (modelName === 'mlp') {
    const { createMlpVae } = await import('./models.mjs');
    const model = createMlpVae();
    const x = tf.randomUniform([batch, 784], 0, 1, 'float32', 42);
    let seed = 1;
    step = () => optimizer.minimize(() => model.loss(x, seed++), true, model.variables);
  } else if (modelName === 'conv') {
    const { createVae } = await import('@vaejs/vae');
    const vae = createVae({ inputShape: [28, 28, 1], latentDim: 16 });
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 42);
    step = () => vae.trainStep(optimizer, { x });
  } else if (modelName === 'vqvae') {
    const { createVqVae } = await import('@vaejs/vqvae');
    const vq = createVqVae({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128 });
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 42);
    step = () => vq.trainStep(optimizer, { x });
  } else {
    const { createPixelCnn } = await import('@vaejs/pixelcnn-prior');
    const prior = createPixelCnn({ numCategories: 128, height: 7, width: 7 });
    const x = tf.randomUniform([batch, 7, 7], 0, 128, 'int32', 42);
    step = () => prior.trainStep(optimizer, { x });
    perStep = batch;
  }
  const run = () => {
    const out = step();
    const tensors = out instanceof tf.Tensor ? [out] : Object.values(out ?? {}).filter((t) => t instanceof tf.Tensor);
    const value = tensors[0]?.dataSync()[0];
    tf.dispose(tensors);
    return value;
  };
  for (let i = 0; i < 2; i++) run();
  const times = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((a, b) => a - b);
  const medianMs = times[times.length >> 1];
  return {
    steps: times.length,
    medianMs,
    cpuMsPerStep: (cpu.user + cpu.system) / 1000 / times.length,
    imagesPerSecond: (perStep * 1000) / medianMs,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    backendLine: setup.summary,
  };
}

if (args.worker) {
  const result = await measure(JSON.parse(args.worker));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** The CPU's name as lscpu gives it, and whether it has AVX-512 (OpenBLAS needs to be told on some). */
function cpuName() {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout ?? '';
  const name = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const flags = /^Flags:\s*(.+)$/m.exec(lscpu)?.[1] ?? '';
  return { name, avx512: /\bavx512f\b/.test(flags) };
}

/** The python that imports torch (Debian's python3-torch is in the system python), or null. */
function findTorch() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return null;
}

const cpu = cpuName();
const python = findTorch();
// Debian's OpenBLAS 0.3.21 takes AVX-512 CPUs it does not know (this AMD EPYC, some Xeons) for Haswell or older,
// about half the speed of its SkylakeX kernels here (sgemm 128×784×400: 92 vs 165 GFLOP/s on one core): on a CPU
// with AVX-512 it is told SkylakeX, whatever the environment says (--blas-core=NAME to choose another).
// OPENBLAS_VERBOSE=2 makes it print the kernel it runs, shown in the backend column.
// torch.set_num_threads does not reach Debian's OpenBLAS (its own pthread pool, all cores by default: a run on a quiet
// machine showed PyTorch at 8.0 ms/step for 16.3 CPU ms): its threads are set here too.
const blasEnv = {
  ...process.env,
  OPENBLAS_VERBOSE: '2',
  OPENBLAS_NUM_THREADS: String(threads),
  OMP_NUM_THREADS: String(threads),
};
const blasCore = args['blas-core'] ?? (cpu.avx512 ? 'SkylakeX' : process.env.OPENBLAS_CORETYPE);
if (blasCore) blasEnv.OPENBLAS_CORETYPE = blasCore;
else delete blasEnv.OPENBLAS_CORETYPE;
const blasNote =
  process.env.OPENBLAS_CORETYPE && process.env.OPENBLAS_CORETYPE !== blasCore
    ? ` (OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} in the environment replaced)`
    : '';

function pytorch(model) {
  if (!python) return { error: 'not installed (Debian: apt-get install python3-torch)' };
  if (model !== 'mlp' && model !== 'conv') return { error: 'no twin written' };
  const result = spawnSync(
    python,
    [
      join(here, 'reference', 'pytorch_speed.py'),
      '--model',
      model,
      '--threads',
      String(threads),
      '--seconds',
      String(seconds),
      '--batch',
      String(batch),
    ],
    { encoding: 'utf8', env: blasEnv },
  );
  if (result.status !== 0) return { error: `failed: ${result.stderr.trim().split('\n').pop()}` };
  const core = /Core: (\S+)/.exec(result.stderr)?.[1] ?? '?';
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop());
  return {
    ...parsed,
    backendLine: `torch ${parsed.torch}, ${parsed.threads} thread(s), OpenBLAS core ${core}${blasNote}`,
  };
}

function vaejs(kind, model) {
  const script = fileURLToPath(import.meta.url);
  try {
    const out = execFileSync(
      process.execPath,
      [script, `--worker=${JSON.stringify({ kind, model })}`, `--seconds=${seconds}`, `--threads=${threads}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 },
    );
    return JSON.parse(
      out
        .split('\n')
        .find((l) => l.startsWith('RESULT '))
        .slice(7),
    );
  } catch (error) {
    const text = `${error.stderr ?? error.message}`;
    if (kind === 'node' && /tfjs-node: not installed/.test(text)) return { error: 'not installed' };
    return {
      error: `failed: ${
        text
          .trim()
          .split('\n')
          .find((l) => /Error/.test(l)) ?? text.trim().split('\n')[0]
      }`,
    };
  }
}

/** The median of each figure over the rounds (an error if any round failed). */
function medianOf(list) {
  const failed = list.find((r) => r.error);
  if (failed) return failed;
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const out = { ...list[0] };
  for (const field of ['medianMs', 'cpuMsPerStep', 'imagesPerSecond', 'peakRssMiB']) {
    out[field] = median(list.map((r) => r[field]));
  }
  out.steps = list.reduce((sum, r) => sum + r.steps, 0);
  return out;
}

const TITLES = {
  mlp: 'MLP VAE (PyTorch examples/vae, 784-400-20)',
  conv: "conv VAE (@vaejs/vae's default conv: 32/64 k4 s2, dense 256, latent 16; PyTorch twin)",
  vqvae: 'VQ-VAE (@vaejs/vqvae, 28x28x1, dim 16, 128 codes)',
  prior: 'PixelCNN prior (@vaejs/pixelcnn-prior, 7x7 maps, 128 codes, 6 gated blocks, 64 channels)',
};

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`CPU: ${cpu.name} (${os.cpus().length} logical cores; load average ${load} at the start)`);
console.log(
  `Node ${process.version}; batch ${batch}; ${threads} thread(s) for every framework; medians of ${rounds} rounds of ${seconds} s each`,
);
const summary = [];
for (const model of only) {
  process.stderr.write(`measuring ${model} …\n`);
  const measurements = { PyTorch: [], 'vaejs native': [], 'vaejs wasm fast': [], 'tfjs-node': [] };
  for (let round = 0; round < rounds; round++) {
    measurements.PyTorch.push(pytorch(model));
    measurements['vaejs native'].push(vaejs('native', model));
    measurements['vaejs wasm fast'].push(vaejs('wasm', model));
    // tfjs-node: once (it is either not installed, or it runs)
    if (round === 0) measurements['tfjs-node'].push(vaejs('node', model));
  }
  const rows = Object.entries(measurements).map(([name, list]) => [name, medianOf(list)]);
  const unit = model === 'prior' ? 'maps/s' : 'images/s';
  console.log(`\n${TITLES[model]}`);
  console.log(`framework          steps  ms/step  CPU ms/step  ${unit.padStart(9)}  peak RSS MiB  backend`);
  const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');
  for (const [name, r] of rows) {
    if (r.error) {
      console.log(`${name.padEnd(17)}  ${r.error}`);
      continue;
    }
    console.log(
      `${name.padEnd(17)} ${String(r.steps).padStart(6)} ${fmt(r.medianMs).padStart(8)} ${fmt(r.cpuMsPerStep).padStart(12)} ${fmt(r.imagesPerSecond, 0).padStart(10)} ${fmt(r.peakRssMiB, 0).padStart(13)}  ${r.backendLine}`,
    );
  }
  const [torch, native, wasm] = rows.map(([, r]) => r);
  const ratio = (a, b, field) => (a?.error || b?.error ? '—' : `${(a[field] / b[field]).toFixed(2)}×`);
  const inverse = (a, b, field) => (a?.error || b?.error ? '—' : `${(b[field] / a[field]).toFixed(2)}×`);
  const line = `native/PyTorch: ${ratio(native, torch, 'imagesPerSecond')} ${unit} (${inverse(native, torch, 'cpuMsPerStep')} by CPU time); native/wasm fast: ${ratio(native, wasm, 'imagesPerSecond')} (${inverse(native, wasm, 'cpuMsPerStep')} by CPU time)`;
  console.log(line);
  summary.push(`${model}: ${line}`);
}
console.log(`\n${summary.join('\n')}`);
