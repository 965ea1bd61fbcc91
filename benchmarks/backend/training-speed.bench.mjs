// Training speed of two VAEs on tfjs' wasm backend, stock and with enableFastTraining, and on the cpu backend.
// Run after `pnpm build`:  pnpm --filter @vaejs/benchmarks bench:backend   (options: --seconds=3 --batch=128 --only=mlp --cpu=false)
// "same, stock backward pass" is the 1-thread fast configuration with enableFastTraining({ freeingGradients: false }).
// Each configuration runs in its own Node process (the wasm backend is re-initialised for threads, and peak RSS
// is per process). ms/step, images/s and GFLOP/s are medians over steps of wall-clock time; cpu ms/step is the
// process's CPU time per step (all threads), which other load on a shared machine disturbs less.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
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
const seconds = Number(args.seconds ?? 3);
const batch = Number(args.batch ?? 128);

/** One measurement, in this process. */
async function measure(config) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  await import('@tensorflow/tfjs-backend-cpu');
  const { enableFastTraining } = await import('@vaejs/backend');
  const { createConvVae, createMlpVae, createTrainer } = await import('./models.mjs');
  await tf.setBackend(config.backend);
  let summary = `${config.backend} (stock kernels)`;
  if (config.fast) {
    const options = { threads: config.threads, freeingGradients: config.freeingGradients ?? true };
    summary = (await enableFastTraining(options)).summary;
  }
  const model = config.model === 'mlp' ? createMlpVae() : createConvVae();
  const trainer = createTrainer(model);
  const x = tf.randomUniform([config.batch, ...model.inputShape], 0, 1, 'float32', 42);
  const times = [];
  let firstLoss;
  let error = null;
  let cpuStart = null;
  try {
    const warmup = config.maxSteps > 2 ? 2 : 0;
    for (let i = 0; i < warmup; i++) {
      const loss = trainer.step(x);
      firstLoss ??= loss;
    }
    const start = performance.now();
    cpuStart = process.cpuUsage();
    while (
      times.length < config.maxSteps &&
      (times.length < config.minSteps || performance.now() - start < seconds * 1000)
    ) {
      const t0 = performance.now();
      const loss = trainer.step(x);
      times.push(performance.now() - t0);
      firstLoss ??= loss;
    }
  } catch (e) {
    error = e.message.split('\n')[0];
  }
  const cpu = cpuStart ? process.cpuUsage(cpuStart) : { user: 0, system: 0 };
  times.sort((a, b) => a - b);
  const median = times.length ? times[times.length >> 1] : Number.NaN;
  return {
    ...config,
    summary,
    steps: times.length,
    medianMs: median,
    imagesPerSecond: (config.batch * 1000) / median,
    gflops: (model.flopsPerImage * config.batch) / median / 1e6,
    mflopsPerImage: model.flopsPerImage / 1e6,
    cpuMsPerStep: times.length ? (cpu.user + cpu.system) / 1000 / times.length : Number.NaN,
    firstLoss,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    error,
  };
}

if (args.worker) {
  const result = await measure(JSON.parse(args.worker));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

const all = os.cpus().length;
const configs = [];
for (const model of ['mlp', 'conv']) {
  if (args.only && args.only !== model) continue;
  const common = { model, batch, minSteps: 3, maxSteps: 1000 };
  configs.push({ ...common, name: 'stock wasm', backend: 'wasm', fast: false });
  configs.push({ ...common, name: 'fast wasm, 1 thread', backend: 'wasm', fast: true, threads: 1 });
  configs.push({
    ...common,
    name: 'same, stock backward pass',
    backend: 'wasm',
    fast: true,
    threads: 1,
    freeingGradients: false,
  });
  configs.push({ ...common, name: `fast wasm, all ${all} threads`, backend: 'wasm', fast: true, threads: 'all' });
  // The cpu backend takes seconds (MLP) to over a minute (conv, batch 128) per step: one or two steps only, and a
  // smaller batch for the conv VAE (images/s scales with it; the batch is printed).
  const cpuBatch = model === 'conv' ? Math.min(batch, Number(args.cpuConvBatch ?? 8)) : batch;
  if (args.cpu === 'false') continue;
  configs.push({
    ...common,
    name: 'cpu',
    backend: 'cpu',
    fast: false,
    batch: cpuBatch,
    minSteps: 1,
    maxSteps: model === 'conv' ? 1 : 2,
  });
}

const script = fileURLToPath(import.meta.url);
const results = [];
for (const config of configs) {
  process.stderr.write(`measuring ${config.model} / ${config.name} …\n`);
  let line;
  try {
    const out = execFileSync(process.execPath, [script, `--worker=${JSON.stringify(config)}`, `--seconds=${seconds}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 20,
    });
    line = out.split('\n').find((l) => l.startsWith('RESULT '));
  } catch (e) {
    line = null;
    config.error = `worker process failed (${e.signal ?? `exit ${e.status}`})`;
  }
  results.push(line ? JSON.parse(line.slice(7)) : { ...config, steps: 0, medianMs: Number.NaN });
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(Math.abs(v) < 10 && digits === 0 ? 1 : digits) : '—');
console.log(
  `\nTraining step, Adam, batch ${batch} (Node ${process.version}, ${all} logical cores, ${os.cpus()[0]?.model})`,
);
for (const model of ['mlp', 'conv']) {
  const rows = results.filter((r) => r.model === model);
  if (rows.length === 0) continue;
  const title =
    model === 'mlp' ? 'MLP VAE (PyTorch examples/vae: 784-400-20)' : 'conv VAE (conv32/conv64 s2, convT32/convT1 s2)';
  console.log(`\n${title}: ${fmt(rows[0].mflopsPerImage, 2)} MFLOP per image per step (2·MACs forward ×3)`);
  console.log(
    'configuration                 batch  steps  ms/step  cpu ms/step   images/s  GFLOP/s  first loss  peak RSS MiB',
  );
  for (const r of rows) {
    const status = r.error ? `  FAILS: ${r.error}` : '';
    console.log(
      `${r.name.padEnd(28)} ${String(r.batch).padStart(5)} ${String(r.steps).padStart(6)} ${fmt(r.medianMs, 1).padStart(8)} ${fmt(r.cpuMsPerStep, 1).padStart(12)} ${fmt(r.imagesPerSecond).padStart(10)} ${fmt(r.gflops, 1).padStart(8)} ${fmt(r.firstLoss, 2).padStart(11)} ${fmt(r.peakRssMiB).padStart(13)}${status}`,
    );
  }
  const stock = rows.find((r) => r.name === 'stock wasm');
  for (const r of rows.filter((row) => row.fast)) {
    const ratio =
      stock && !stock.error
        ? `${fmt(r.imagesPerSecond / stock.imagesPerSecond, 1)}× stock wasm`
        : 'stock wasm cannot train it';
    console.log(`  ${r.name}: ${ratio}; backend line: ${r.summary}`);
  }
}
