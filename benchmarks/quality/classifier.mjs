// The quality benchmark's MNIST classifier: a small CNN trained once with shift/rotation augmentation, its weights
// cached with @vaejs/training's fileIO. It takes images float32 [n, 28, 28, 1] in [0, 1].
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { augmentBatch, mulberry32 } from './augment.mjs';

/**
 * What is trained. Changing it trains a new classifier in a folder of its own (the cache key is its JSON).
 * `convs` are [filters, kernel size, stride] of 'same'-padded ReLU convolutions (strides rather than max pooling: on
 * wasm, MaxPoolGrad costs more than the convolutions), then dense → dropout → softmax 10; Adam with the learning rate
 * divided by `lrDecay` each epoch, on shifts of ±2 px and rotations of ±10°.
 */
export const CLASSIFIER_RECIPE = Object.freeze({
  version: 1,
  convs: [
    [32, 5, 2],
    [32, 3, 1],
    [64, 3, 2],
  ],
  dense: 128,
  dropout: 0.2,
  epochs: 5,
  batchSize: 128,
  lr: 2e-3,
  lrDecay: 2,
  maxShift: 2,
  maxDegrees: 10,
  seed: 1,
});

/** The cache folder of a recipe (trained on `dataset`: 'mnist' or 'fashion-mnist') under `cacheDir`. */
export function classifierFolder(cacheDir, recipe = CLASSIFIER_RECIPE, dataset = 'mnist') {
  return join(cacheDir, `${dataset}-cnn-v${recipe.version}-${hashOf(JSON.stringify(recipe))}`);
}

/**
 * The cached classifier of `recipe` for `dataset`, or one trained now (and cached) on `loadTrain()` (called only
 * then: that dataset's training set). `log` gets a line per epoch, with the test
 * accuracy when `test` (a dataset) is given.
 * @returns `{ model, folder, trained: boolean, seconds (training; NaN when loaded), info (what was stored with it) }`
 */
export async function loadOrTrainClassifier({
  tf,
  tfl,
  fileIO,
  loadTrain,
  test,
  cacheDir,
  recipe = CLASSIFIER_RECIPE,
  dataset = 'mnist',
  log,
}) {
  const folder = classifierFolder(cacheDir, recipe, dataset);
  const infoFile = join(folder, 'classifier.json');
  if (existsSync(infoFile)) {
    const model = await tfl.loadLayersModel(fileIO(folder));
    return { model, folder, trained: false, seconds: Number.NaN, info: JSON.parse(readFileSync(infoFile, 'utf8')) };
  }
  const started = performance.now();
  const train = loadTrain();
  const model = buildClassifier(tfl, recipe);
  const optimizer = tf.train.adam(recipe.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const random = mulberry32(recipe.seed);
  const size = train.imageShape[0];
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    optimizer.learningRate = recipe.lr / recipe.lrDecay ** epoch;
    const order = shuffled(train.size, random);
    let lossSum = 0;
    let batches = 0;
    const epochStarted = performance.now();
    for (let start = 0; start < train.size; start += recipe.batchSize) {
      const indices = order.subarray(start, start + recipe.batchSize);
      const pixels = augmentBatch(train.images, size, indices, random, recipe);
      const x = tf.tensor4d(pixels, [indices.length, size, size, 1]);
      const y = tf.tidy(() =>
        tf.cast(
          tf.oneHot(
            tf.tensor1d(
              Array.from(indices, (i) => train.labels[i]),
              'int32',
            ),
            10,
          ),
          'float32',
        ),
      );
      try {
        lossSum += await model.trainOnBatch(x, y);
      } finally {
        tf.dispose([x, y]);
      }
      batches += 1;
    }
    const seconds = (performance.now() - epochStarted) / 1000;
    const accuracy = test ? ` test accuracy ${(100 * (await testAccuracy(tf, model, test))).toFixed(2)} %,` : '';
    log?.(
      `classifier epoch ${epoch + 1}/${recipe.epochs}: train loss ${(lossSum / batches).toFixed(4)},${accuracy} ` +
        `${seconds.toFixed(0)} s`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  mkdirSync(folder, { recursive: true });
  await model.save(fileIO(folder));
  const info = { recipe, seconds, trainedOn: train.name, date: new Date().toISOString() };
  writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  return { model, folder, trained: true, seconds, info };
}

/**
 * Class probabilities of images, `batchSize` at a time.
 * @param images float32 [n, 28, 28, 1] in [0, 1] (not disposed)
 * @returns Float32Array n × 10, image-major
 */
export async function classProbabilities(tf, model, images, batchSize = 500) {
  const n = images.shape[0];
  const out = new Float32Array(n * 10);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const probabilities = tf.tidy(() => model.predict(tf.slice(images, [start, 0, 0, 0], [count, -1, -1, -1])));
    try {
      out.set(await probabilities.data(), start * 10);
    } finally {
      probabilities.dispose();
    }
  }
  return out;
}

/** The share of a labelled dataset's images the model classifies right. */
export async function testAccuracy(tf, model, dataset) {
  const images = datasetImages(tf, dataset);
  try {
    const probabilities = await classProbabilities(tf, model, images);
    let right = 0;
    for (let image = 0; image < dataset.size; image++) {
      let top = 0;
      for (let y = 1; y < 10; y++) if (probabilities[image * 10 + y] > probabilities[image * 10 + top]) top = y;
      if (top === dataset.labels[image]) right += 1;
    }
    return right / dataset.size;
  } finally {
    images.dispose();
  }
}

/** Images of a dataset as float32 [n, h, w, 1] in [0, 1]: the first `count` (caller disposes). */
export function datasetImages(tf, dataset, count = dataset.size) {
  const [height, width, channels] = dataset.imageShape;
  const pixels = height * width * channels;
  return tf.tidy(() =>
    tf.div(
      tf.cast(
        tf.tensor4d(dataset.images.subarray(0, count * pixels), [count, height, width, channels], 'int32'),
        'float32',
      ),
      255,
    ),
  );
}

// helpers

function buildClassifier(tfl, recipe) {
  const init = (offset) => tfl.initializers.glorotUniform({ seed: recipe.seed + offset });
  const convs = recipe.convs.map(([filters, kernelSize, strides], index) =>
    tfl.layers.conv2d({
      ...(index === 0 ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize,
      strides,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(index),
    }),
  );
  return tfl.sequential({
    layers: [
      ...convs,
      tfl.layers.flatten(),
      tfl.layers.dense({ units: recipe.dense, activation: 'relu', kernelInitializer: init(convs.length) }),
      tfl.layers.dropout({ rate: recipe.dropout, seed: recipe.seed }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(convs.length + 1) }),
    ],
  });
}

/** 0..n−1 in a seeded random order (Fisher–Yates). */
function shuffled(n, random) {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A short stable hash of a string (FNV-1a, 32 bits, hex). */
function hashOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
