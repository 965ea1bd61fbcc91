#!/usr/bin/env node
// Issue-6 benchmark: the gated PixelCNN prior on MNIST VQ-VAE code maps, against the Keras example's PixelCNN on the
// same map (rebuilt in PyTorch, when python3-torch is installed), and samples scored by a small MNIST classifier.
// Prints named figures; never passes or fails. Needs `pnpm build` first. Runs the built `vaejs` CLI of @vaejs/trainer
// and imports the packages by name.
//   node benchmarks/trainer/prior.bench.mjs [--vqvae=RUN] [--vq-epochs=2] [--vq-limit=12000] [--encode-limit=3000]
//     [--encode-test-limit=0 (0: all)] [--epochs=2]
//     [--layers=6] [--channels=64] [--keras-epochs=N (0: skip)] [--samples=1000] [--prior=RUN] [--threads=1]
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileIO, findLatestCheckpoint, runFormat } from '@vaejs/training';
import { args, figure, findTorch, metrics, runReference, vaejs } from './lib.mjs';

const threads = Number(args.threads ?? 1);
const vqLimit = Number(args['vq-limit'] ?? 12000);
const vqEpochs = Number(args['vq-epochs'] ?? 2);
const encodeLimit = Number(args['encode-limit'] ?? 3000);
const encodeTestLimit = Number(args['encode-test-limit'] ?? 0);
const epochs = Number(args.epochs ?? 2);
const layers = Number(args.layers ?? 6);
const channels = Number(args.channels ?? 64);
const sampleCount = Number(args.samples ?? 1000);
// The Keras example's own PixelCNN, rebuilt in PyTorch (reference/keras_pixelcnn.py), on the same code map.
const kerasEpochs = Number(args['keras-epochs'] ?? epochs);
const work = mkdtempSync(join(tmpdir(), 'vaejs-bench-prior-'));
const cacheDir = join(tmpdir(), 'vaejs-bench-cache');
/** The newest checkpoint of a run folder, read (and checked) by @vaejs/training. */
function latestCheckpoint(run) {
  const checkpoint = findLatestCheckpoint(run);
  if (!checkpoint) throw new Error(`prior.bench: expected a checkpoint in ${run}, got none.`);
  return checkpoint;
}

/** MNIST images as float32 [n, 784] in [0, 1] and labels one-hot [n, 10]. */
function mnistTensors(tf, dataset) {
  const x = tf.tidy(() => tf.div(tf.cast(tf.tensor2d(dataset.images, [dataset.size, 784], 'int32'), 'float32'), 255));
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(dataset.labels, 'int32'), 10), 'float32'));
  return { x, y };
}

/** A 784-256-10 MLP classifier, trained once (2 epochs, Adam) and cached; returns it with its test accuracy. */
async function mnistClassifier(tf, tfl, loadMnist) {
  const dir = join(cacheDir, 'mnist-mlp');
  const test = mnistTensors(tf, loadMnist({ split: 'test' }));
  let model;
  if (existsSync(join(dir, runFormat.PART_MODEL_FILE))) {
    model = await tfl.loadLayersModel(fileIO(dir));
    console.log(`classifier: loaded from ${dir}`);
  } else {
    const started = performance.now();
    const train = mnistTensors(tf, loadMnist({ split: 'train' }));
    model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(train.x, train.y, { epochs: 2, batchSize: 128, shuffle: true, verbose: 0 });
    tf.dispose([train.x, train.y]);
    await model.save(fileIO(dir));
    console.log(`classifier: trained in ${((performance.now() - started) / 1000).toFixed(1)} s, cached in ${dir}`);
  }
  const accuracy = tf.tidy(
    () =>
      tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(test.x), 1), tf.argMax(test.y, 1)), 'float32')).dataSync()[0],
  );
  const realConfidence = tf.tidy(() => tf.mean(tf.max(model.predict(test.x), 1)).dataSync()[0]);
  tf.dispose([test.x, test.y]);
  return { model, accuracy, realConfidence };
}

try {
  // 1. The VQ-VAE run: given, cached by vqvae.bench.mjs, or trained here.
  let vqRun = args.vqvae;
  const cached = join(cacheDir, 'vqvae-run');
  if (!vqRun && findLatestCheckpoint(cached)) {
    vqRun = cached;
    console.log(`VQ-VAE run: reusing ${cached} (left by vqvae.bench.mjs)`);
  }
  if (!vqRun) {
    vqRun = join(work, 'vq');
    vaejs([
      'train',
      '--model',
      'vqvae',
      '--epochs',
      String(vqEpochs),
      '--limit',
      String(vqLimit),
      '--test-limit',
      '2000',
      '--backend',
      'wasm',
      '--threads',
      String(threads),
      '--out',
      vqRun,
    ]);
  }
  const vqConfig = JSON.parse(readFileSync(join(vqRun, runFormat.RUN_CONFIG_FILE), 'utf8'));
  // config.json keeps the CLI's flags under app.flags
  const vqFlags = vqConfig.app?.flags ?? {};
  const vqLast = metrics(vqRun).at(-1);

  // 2. Code maps and the prior.
  const codes = join(work, 'codes');
  vaejs([
    'encode',
    '--run',
    vqRun,
    '--out',
    codes,
    '--limit',
    String(encodeLimit),
    '--test-limit',
    String(encodeTestLimit),
    '--backend',
    'wasm',
    '--threads',
    String(threads),
  ]);
  let prior = args.prior;
  let priorSeconds = NaN;
  if (prior) {
    console.log(`prior run: reusing ${prior}`);
  } else {
    prior = join(work, 'prior');
    ({ seconds: priorSeconds } = vaejs([
      'prior',
      'train',
      '--codes',
      codes,
      '--out',
      prior,
      '--epochs',
      String(epochs),
      '--layers',
      String(layers),
      '--channels',
      String(channels),
      '--backend',
      'wasm',
      '--threads',
      String(threads),
    ]));
    const cachedPrior = join(cacheDir, 'prior-run');
    rmSync(cachedPrior, { recursive: true, force: true });
    cpSync(prior, cachedPrior, { recursive: true });
  }
  const priorLines = metrics(prior);
  const torch = args['keras-epochs'] === '0' ? null : findTorch();
  let kerasLines = [];
  if (torch) {
    console.log(
      `$ ${torch.python} benchmarks/trainer/reference/keras_pixelcnn.py --codes ${codes} --epochs ${kerasEpochs}`,
    );
    kerasLines = runReference(torch.python, 'keras_pixelcnn.py', [
      '--codes',
      codes,
      '--epochs',
      String(kerasEpochs),
      '--threads',
      String(threads),
    ]);
  }

  // 3. Samples, in this process.
  const { setupBackend } = await import('@vaejs/backend');
  await setupBackend({ backend: 'wasm', threads });
  const tf = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  const { loadMnist } = await import('@vaejs/datasets');
  const { loadVqVae } = await import('@vaejs/vqvae');
  const { loadPixelCnn } = await import('@vaejs/pixelcnn-prior');
  const classifier = await mnistClassifier(tf, tfl, loadMnist);
  const vqCheckpoint = latestCheckpoint(vqRun);
  const priorCheckpoint = latestCheckpoint(prior);
  const vqvae = await loadVqVae(vqCheckpoint.manifest, vqCheckpoint.io);
  const pixelcnn = await loadPixelCnn(priorCheckpoint.manifest, priorCheckpoint.io);
  const [h, w] = vqvae.latentShape;
  const K = vqvae.config.codebookSize;

  const started64 = performance.now();
  const maps64 = await pixelcnn.sample(64, { seed: 1 });
  const sampled64 = performance.now();
  const images64 = vqvae.decode(maps64);
  await images64.data();
  const decoded64 = performance.now();
  tf.dispose([maps64, images64]);

  const counts = new Array(10).fill(0);
  let confidenceSum = 0;
  let sampleSeconds = 0;
  const chunk = 250;
  for (let start = 0; start < sampleCount; start += chunk) {
    const n = Math.min(chunk, sampleCount - start);
    const t0 = performance.now();
    const maps = await pixelcnn.sample(n, { seed: 100 + start });
    const images = vqvae.decode(maps);
    const probs = tf.tidy(() => classifier.model.predict(tf.reshape(images, [n, 784])));
    const topTensor = tf.max(probs, 1);
    const clsTensor = tf.argMax(probs, 1);
    const [top, cls] = await Promise.all([topTensor.data(), clsTensor.data()]);
    tf.dispose([topTensor, clsTensor]);
    sampleSeconds += (performance.now() - t0) / 1000;
    for (let i = 0; i < n; i++) {
      confidenceSum += top[i];
      counts[cls[i]] += 1;
    }
    tf.dispose([maps, images, probs]);
  }
  const recon = tf.tidy(() => {
    const test = loadMnist({ split: 'test' });
    const x = tf.div(
      tf.cast(tf.tensor4d(test.images.subarray(0, 1000 * 784), [1000, 28, 28, 1], 'int32'), 'float32'),
      255,
    );
    return tf.mean(tf.max(classifier.model.predict(tf.reshape(vqvae.reconstruct(x), [1000, 784])), 1));
  });
  const reconConfidence = (await recon.data())[0];
  recon.dispose();

  console.log(
    `\n== gated PixelCNN (${layers} layers, ${channels} channels) on MNIST VQ-VAE codes, ${epochs} epochs on ${encodeLimit || 60000} code maps; wasm, ${threads} thread(s) ==`,
  );
  figure(
    'VQ-VAE codes: K, map size',
    `K=${K}, ${h}x${w}`,
    `Keras example: K=128, 7x7; VQ run ${vqFlags.epochs ?? '?'} epochs, limit ${vqFlags.limit ?? '?'}`,
  );
  figure(
    `VQ-VAE codebook in use on its run's ${vqFlags.testLimit || 10000} test images (%)`,
    vqLast.test_code_usage * 100,
    `perplexity ${vqLast.test_code_perplexity.toFixed(1)}`,
  );
  for (const line of priorLines) {
    figure(
      `prior epoch ${line.epoch} test loss (nats per code position)`,
      line.test_loss,
      `train ${line.train_loss.toFixed(3)}${line.epoch === priorLines.length ? ', Keras example: 1.03' : ''}`,
    );
  }
  for (const line of kerasLines) {
    figure(
      `Keras example's PixelCNN, same map, epoch ${line.epoch} test loss`,
      line.test_loss,
      `PyTorch ${torch.version} rebuild, ${Math.round(line.maps_per_sec)} maps/s`,
    );
  }
  if (!torch && args['keras-epochs'] !== '0') {
    figure("Keras example's PixelCNN, same map", '—', 'needs python3-torch (apt install python3-torch)');
  }
  const lastPrior = priorLines.at(-1);
  // How hard a map is to model: a prior that ignores context scores the entropy of the code histogram, log perplexity.
  const unigram = Math.log(vqLast.test_code_perplexity);
  figure('code map unigram entropy (nats per position)', unigram, 'a prior that ignores context scores this');
  figure('prior test loss over the unigram entropy', lastPrior.test_loss / unigram, 'what context leaves unexplained');
  figure(
    'prior test loss over log K (share of a uniform prior)',
    lastPrior.test_loss / Math.log(K),
    `log K = ${Math.log(K).toFixed(2)} nats`,
  );
  if (lastPrior.test_bitsPerDim !== undefined || lastPrior.bitsPerDim !== undefined) {
    figure('prior bits per dim', lastPrior.test_bitsPerDim ?? lastPrior.bitsPerDim);
  }
  figure('prior train maps/s (last epoch)', lastPrior.images_per_sec ?? NaN, lastPrior.backend ?? '');
  figure('prior run wall time (s)', priorSeconds);
  figure(
    'prior training memory: wasm heap / RSS (MB, last epoch)',
    `${lastPrior.wasm_mb ?? '—'} / ${lastPrior.rss_mb ?? '—'}`,
    'the wasm heap never shrinks: it is the run’s peak',
  );
  figure('classifier (784-256-10 MLP) MNIST test accuracy (%)', classifier.accuracy * 100);
  figure('classifier mean top-class probability, real test digits', classifier.realConfidence);
  figure('classifier mean top-class probability, VQ-VAE reconstructions', reconConfidence, 'first 1000 test digits');
  figure(`classifier mean top-class probability, ${sampleCount} prior samples`, confidenceSum / sampleCount);
  figure(`class histogram of ${sampleCount} prior samples (0..9)`, counts.join(' '));
  figure('sampling 64 images: code maps (s)', (sampled64 - started64) / 1000, `${h * w} sequential PixelCNN passes`);
  figure('sampling 64 images: decode (s)', (decoded64 - sampled64) / 1000);
  figure(`sampling + decoding + classifying ${sampleCount} images (s)`, sampleSeconds, `chunks of ${chunk}`);
  pixelcnn.dispose();
  vqvae.dispose();
  classifier.model.dispose();
} finally {
  rmSync(work, { recursive: true, force: true });
}
