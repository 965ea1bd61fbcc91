#!/usr/bin/env node
// Issue-16 benchmark: how much a model's samples look like MNIST digits, by a strong MNIST classifier (a small CNN
// trained once with shift/rotation augmentation, ≥ 99 % test accuracy, cached). For the samples of a run, for real
// test digits and for the run's reconstructions of the same test digits, it prints: the mean top-class probability,
// the Inception-style score exp(E_x KL(p(y|x) || p(y))), the class histogram, its entropy and its extreme shares.
// Prints named figures; never passes or fails. Needs `pnpm build` first; imports the packages by name.
//   node benchmarks/quality/samples.bench.mjs --run=<run folder> [--vqvae=<run>] [--n=1000] [--seed=1]
//     [--temperature=1] [--top-k=K] [--backend=auto] [--threads=N] [--cache=<folder>] [--dataset=mnist]
// --dataset=fashion-mnist scores a Fashion-MNIST model with a Fashion-MNIST classifier (same recipe, cached apart).
// --run: a VAE run (samples from its prior), a PixelCNN prior run (decoded by its VQ-VAE: --vqvae, or the one its
// codes came from), or a VQ-VAE run (reconstructions only); a checkpoint folder (as apps/demo/public/models/* are)
// does too. The classifier is cached in benchmarks/.bench-cache/quality
// (gitignored) unless --cache names another folder.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupBackend } from '@vaejs/backend';
import { loadFashionMnist, loadMnist, readCodesManifest } from '@vaejs/datasets';
import { loadPixelCnn } from '@vaejs/pixelcnn-prior';
import { fileIO, findLatestCheckpoint, readCheckpointFolder, runFormat } from '@vaejs/training';
import { loadVae } from '@vaejs/vae';
import { loadVqVae } from '@vaejs/vqvae';
import { figure } from '../trainer/lib.mjs';
import { classProbabilities, datasetImages, loadOrTrainClassifier, testAccuracy } from './classifier.mjs';
import { labelAgreement, scoreProbabilities } from './score.mjs';

const FN = 'samples.bench';
const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const here = dirname(fileURLToPath(import.meta.url));
const n = Number(args.n ?? 1000);
const seed = Number(args.seed ?? 1);
const temperature = Number(args.temperature ?? 1);
const topK = args['top-k'] === undefined ? undefined : Number(args['top-k']);
const cacheDir = resolve(args.cache ?? join(here, '..', '.bench-cache', 'quality'));
const CHUNK = 250;
const CLASSES = 10;
const dataset = args.dataset ?? 'mnist';
if (dataset !== 'mnist' && dataset !== 'fashion-mnist')
  throw new Error(`${FN}: expected --dataset mnist or fashion-mnist, got '${dataset}'.`);
const load = dataset === 'mnist' ? loadMnist : loadFashionMnist;
const NAME = dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST';
const ITEMS = dataset === 'mnist' ? 'digits' : 'images';
if (!args.run) throw new Error(`${FN}: expected --run=<a VAE, PixelCNN prior or VQ-VAE run folder>, got none.`);
if (!Number.isInteger(n) || n < 1 || n > 10000)
  throw new Error(`${FN}: expected --n an integer in [1, 10000], got ${args.n}.`);

const setup = await setupBackend({
  backend: args.backend ?? 'auto',
  ...(args.threads ? { threads: Number(args.threads) } : {}),
});
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
console.log(setup.summary);

// 1. The classifier, and its accuracy on the whole test set.
const test = load({ split: 'test' });
const classifier = await loadOrTrainClassifier({
  tf,
  tfl,
  fileIO,
  dataset,
  loadTrain: () => load({ split: 'train' }),
  test,
  cacheDir,
  log: (line) => console.log(line),
});
console.log(
  classifier.trained
    ? `classifier: trained in ${classifier.seconds.toFixed(0)} s, cached in ${classifier.folder}`
    : `classifier: loaded from ${classifier.folder} (trained in ${classifier.info.seconds.toFixed(0)} s)`,
);
const accuracy = await testAccuracy(tf, classifier.model, test);

// 2. The run's model(s).
const { kind, describe, reconstruct, sample, conditional, dispose } = await openRun(args.run);
console.log(`run: ${describe}`);

// 3. Probabilities of real test digits, of their reconstructions and of samples.
const labels = Array.from(test.labels.subarray(0, n));
const real = datasetImages(tf, test, n);
const realProbabilities = await classProbabilities(tf, classifier.model, real);
const reconstructionProbabilities = new Float32Array(n * CLASSES);
for (let start = 0; start < n; start += CHUNK) {
  const count = Math.min(CHUNK, n - start);
  const images = tf.tidy(() =>
    reconstruct(tf.slice(real, [start, 0, 0, 0], [count, -1, -1, -1]), labels.slice(start, start + count)),
  );
  try {
    reconstructionProbabilities.set(await classProbabilities(tf, classifier.model, images), start * CLASSES);
  } finally {
    images.dispose();
  }
}
real.dispose();
let sampleProbabilities = null;
let sampleSeconds = Number.NaN;
const askedLabels = Array.from({ length: n }, (_, i) => i % CLASSES);
if (sample) {
  sampleProbabilities = new Float32Array(n * CLASSES);
  const started = performance.now();
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start);
    const images = await sample(count, seed + start, askedLabels.slice(start, start + count));
    try {
      sampleProbabilities.set(await classProbabilities(tf, classifier.model, images), start * CLASSES);
    } finally {
      images.dispose();
    }
  }
  sampleSeconds = (performance.now() - started) / 1000;
}
dispose();
classifier.model.dispose();

// 4. The figures, grouped by figure so that samples stand beside real digits and reconstructions.
console.log(`\n== sample quality by ${dataset === 'mnist' ? 'an' : 'a'} ${NAME} classifier: ${describe} ==`);
figure('CPU', `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical cores)`);
figure('backend', setup.summary.replace(/^backend: /, ''));
figure(
  'images per set (n)',
  String(n),
  `real: the first ${n} test ${ITEMS}; reconstructions: of those${sampleProbabilities ? `; samples: seeds from ${seed}` : ''}`,
);
figure(
  `classifier ${NAME} test accuracy (%, all 10000 test ${ITEMS})`,
  (accuracy * 100).toFixed(2),
  'CNN, classifier.mjs',
);
const sets = [
  [`real test ${ITEMS}`, scoreProbabilities(realProbabilities, CLASSES)],
  [
    kind === 'pixelcnn' ? 'VQ-VAE reconstructions' : 'reconstructions',
    scoreProbabilities(reconstructionProbabilities, CLASSES),
  ],
  ...(sampleProbabilities ? [['samples', scoreProbabilities(sampleProbabilities, CLASSES)]] : []),
];
const rows = [
  ['mean top-class probability', (score) => score.meanTopProbability.toFixed(3), 'issue 16 target: ≥ 0.95'],
  ['Inception-style score', (score) => score.inceptionScore.toFixed(2), 'target ≥ 9.0; exp(E_x KL(p(y|x) || p(y)))'],
  ['class histogram (0..9)', (score) => score.counts.join(' '), ''],
  ['class histogram entropy (nats)', (score) => score.histogramEntropy.toFixed(3), ''],
  [
    'least / most used class (%)',
    (score) => `${(100 * score.minShare).toFixed(1)} / ${(100 * score.maxShare).toFixed(1)}`,
    'target: every class 5–15 %',
  ],
];
for (const [row, value, target] of rows) {
  for (const [set, score] of sets) {
    // issue 16's targets are for MNIST digits
    figure(`${row}: ${set}`, value(score), set === 'samples' && dataset === 'mnist' ? target : '');
  }
}
if (sampleProbabilities && conditional) {
  const agreement = labelAgreement(sampleProbabilities, askedLabels, CLASSES);
  figure('samples classified as the class asked for (%)', (100 * agreement).toFixed(1));
}
if (sampleProbabilities) figure(`sampling and classifying ${n} images (s)`, sampleSeconds, `chunks of ${CHUNK}`);

// helpers

/**
 * The run's model as what the benchmark needs: `reconstruct(x [n, 28, 28, 1], labels)` (inside a tidy), `sample(n,
 * seed, labels)` → images [n, 28, 28, 1] (or null for a VQ-VAE), and a description.
 */
async function openRun(run) {
  const checkpoint = latestCheckpoint(run, '--run');
  const runKind = checkpoint.info.kind;
  if (runKind === 'vae') {
    const vae = await loadVae(checkpoint.manifest, checkpoint.io);
    checkShape(vae.config.inputShape, run);
    const { kind: model, arch, latentDim, numClasses } = vae.config;
    const conditional = numClasses > 0;
    const labelTensor = (values) => tf.tensor1d(values, 'int32');
    return {
      kind: runKind,
      describe: `${model} (${arch}, latent ${latentDim}) ${epochOf(checkpoint)} from ${run}`,
      conditional,
      reconstruct: (x, values) => vae.reconstruct(x, conditional ? { labels: labelTensor(values) } : {}),
      sample: vae.variational
        ? async (count, drawSeed, values) =>
            tf.tidy(() =>
              vae.generate(count, { seed: drawSeed, ...(conditional ? { labels: labelTensor(values) } : {}) }),
            )
        : null,
      dispose: () => vae.dispose(),
    };
  }
  if (runKind === 'vqvae') {
    const vqvae = await loadVqVae(checkpoint.manifest, checkpoint.io);
    checkShape(vqvae.config.inputShape, run);
    return {
      kind: runKind,
      describe: `VQ-VAE (K = ${vqvae.config.codebookSize}) ${epochOf(checkpoint)} from ${run}, reconstructions only (pass its prior to score samples)`,
      conditional: false,
      reconstruct: (x) => vqvae.reconstruct(x),
      sample: null,
      dispose: () => vqvae.dispose(),
    };
  }
  if (runKind !== 'pixelcnn')
    throw new Error(`${FN}: expected --run a vae, vqvae or pixelcnn run, got a ${runKind} one.`);
  const prior = await loadPixelCnn(checkpoint.manifest, checkpoint.io);
  const vqvaeRun = args.vqvae ?? vqvaeOfPrior(run);
  const vqCheckpoint = latestCheckpoint(vqvaeRun, '--vqvae');
  if (vqCheckpoint.info.kind !== 'vqvae') {
    throw new Error(`${FN}: expected --vqvae a vqvae run, got a ${vqCheckpoint.info.kind} one (${vqvaeRun}).`);
  }
  const vqvae = await loadVqVae(vqCheckpoint.manifest, vqCheckpoint.io);
  checkShape(vqvae.config.inputShape, vqvaeRun);
  const { layers, channels, architecture, numClasses } = prior.config;
  const options = `temperature ${temperature}${topK === undefined ? '' : `, top-${topK}`}`;
  return {
    kind: runKind,
    describe:
      `PixelCNN prior (${architecture}, ${layers} layers, ${channels} channels) ${epochOf(checkpoint)} from ${run}, ` +
      `${options}, decoded by the VQ-VAE (K = ${vqvae.config.codebookSize}) ${epochOf(vqCheckpoint)} from ${vqvaeRun}`,
    conditional: numClasses > 0,
    reconstruct: (x) => vqvae.reconstruct(x),
    sample: async (count, drawSeed, values) => {
      const maps = await prior.sample(count, {
        seed: drawSeed,
        temperature,
        ...(topK === undefined ? {} : { topK }),
        ...(numClasses > 0 ? { labels: values } : {}),
      });
      try {
        return vqvae.decode(maps);
      } finally {
        maps.dispose();
      }
    },
    dispose: () => {
      prior.dispose();
      vqvae.dispose();
    },
  };
}

/** A run folder's latest checkpoint, or a checkpoint folder itself (as the demo ships them). */
function latestCheckpoint(run, flag) {
  if (existsSync(join(run, runFormat.CHECKPOINT_INFO_FILE))) return readCheckpointFolder(run);
  const checkpoint = existsSync(run) ? findLatestCheckpoint(run) : null;
  if (!checkpoint) throw new Error(`${FN}: expected ${flag} a run or checkpoint folder, got ${run}.`);
  return checkpoint;
}

function epochOf(checkpoint) {
  return `at epoch ${checkpoint.info.epoch}`;
}

function checkShape(shape, run) {
  if (shape.join('x') !== '28x28x1') {
    throw new Error(`${FN}: expected a model of 28x28x1 images (MNIST digits), got ${shape.join('x')} (${run}).`);
  }
}

/** The VQ-VAE run a prior was trained on: its codes folder (a flag of the prior's run) names it in codes.json. */
function vqvaeOfPrior(run) {
  const configFile = join(run, runFormat.RUN_CONFIG_FILE);
  const config = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
  const codes = config.app?.flags?.codes;
  const source = codes && existsSync(codes) ? readCodesManifest(codes).source?.vqvaeRun : undefined;
  if (typeof source !== 'string') {
    throw new Error(
      `${FN}: expected --vqvae=<the VQ-VAE run that decodes the prior's maps> (the prior's codes folder ${codes ?? '(none)'} does not name it from here), got none.`,
    );
  }
  return source;
}
