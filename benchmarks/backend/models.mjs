// Benchmark models, built from tf.layers layers and trained with a custom step (optimizer.minimize),
// as the vaejs trainer does. Shapes follow PyTorch examples/vae (MLP) and a small default conv VAE.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// Seeded initialisers, so every configuration starts from the same weights and the first losses can be compared.
let initSeed = 0;
const init = () => tfl.initializers.glorotUniform({ seed: ++initSeed });

/** Sum over all but the batch axis of the Bernoulli negative log-likelihood, stable for large |logits|. */
function bceWithLogitsSum(target, logits) {
  // max(l,0) - l*x + log(1 + exp(-|l|))
  return tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

function klSum(mean, logVar) {
  return tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar))));
}

function vaeLoss(x, logits, mean, logVar, batch) {
  return tf.div(tf.add(bceWithLogitsSum(x, logits), klSum(mean, logVar)), batch);
}

/** PyTorch examples/vae: 784→400 relu→(20, 20); 20→400 relu→784 logits. */
export function createMlpVae(latent = 20, hidden = 400) {
  initSeed = 0;
  const fc1 = tfl.layers.dense({ kernelInitializer: init(), units: hidden, activation: 'relu', inputShape: [784] });
  const fc21 = tfl.layers.dense({ kernelInitializer: init(), units: latent });
  const fc22 = tfl.layers.dense({ kernelInitializer: init(), units: latent });
  const fc3 = tfl.layers.dense({ kernelInitializer: init(), units: hidden, activation: 'relu' });
  const fc4 = tfl.layers.dense({ kernelInitializer: init(), units: 784 });
  fc1.build([null, 784]);
  fc21.build([null, hidden]);
  fc22.build([null, hidden]);
  fc3.build([null, latent]);
  fc4.build([null, hidden]);
  const layers = [fc1, fc21, fc22, fc3, fc4];
  const macs = 784 * hidden + 2 * hidden * latent + latent * hidden + hidden * 784;
  return {
    name: 'MLP VAE',
    inputShape: [784],
    flopsPerImage: 3 * 2 * macs,
    variables: layers.flatMap((l) => l.trainableWeights.map((w) => w.read())),
    loss(x, seed) {
      const h = fc1.apply(x);
      const mean = fc21.apply(h);
      const logVar = fc22.apply(h);
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), tf.randomNormal(mean.shape, 0, 1, 'float32', seed)));
      const logits = fc4.apply(fc3.apply(z));
      return vaeLoss(x, logits, mean, logVar, x.shape[0]);
    },
    dispose() {
      for (const l of layers) l.dispose();
    },
  };
}

/** Default conv VAE: 28×28×1 → conv32 k4 s2 → conv64 k4 s2 → dense 2·latent; dense → 7×7×64 → convT32 → convT1. */
export function createConvVae(latent = 16) {
  initSeed = 100;
  const c1 = tfl.layers.conv2d({
    kernelInitializer: init(),
    filters: 32,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    activation: 'relu',
  });
  const c2 = tfl.layers.conv2d({
    kernelInitializer: init(),
    filters: 64,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    activation: 'relu',
  });
  const enc = tfl.layers.dense({ kernelInitializer: init(), units: 2 * latent });
  const dec = tfl.layers.dense({ kernelInitializer: init(), units: 7 * 7 * 64, activation: 'relu' });
  const t1 = tfl.layers.conv2dTranspose({
    filters: 32,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
    activation: 'relu',
  });
  const t2 = tfl.layers.conv2dTranspose({
    kernelInitializer: init(),
    filters: 1,
    kernelSize: 4,
    strides: 2,
    padding: 'same',
  });
  c1.build([null, 28, 28, 1]);
  c2.build([null, 14, 14, 32]);
  enc.build([null, 3136]);
  dec.build([null, latent]);
  t1.build([null, 7, 7, 64]);
  t2.build([null, 14, 14, 32]);
  const layers = [c1, c2, enc, dec, t1, t2];
  const macs =
    14 * 14 * 32 * 16 +
    7 * 7 * 64 * 16 * 32 +
    3136 * 2 * latent +
    latent * 3136 +
    7 * 7 * 64 * 16 * 32 +
    14 * 14 * 32 * 16;
  return {
    name: 'conv VAE',
    inputShape: [28, 28, 1],
    flopsPerImage: 3 * 2 * macs,
    variables: layers.flatMap((l) => l.trainableWeights.map((w) => w.read())),
    loss(x, seed) {
      const batch = x.shape[0];
      const h = tf.reshape(c2.apply(c1.apply(x)), [batch, 3136]);
      const stats = enc.apply(h);
      const mean = tf.slice(stats, [0, 0], [batch, latent]);
      const logVar = tf.slice(stats, [0, latent], [batch, latent]);
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), tf.randomNormal(mean.shape, 0, 1, 'float32', seed)));
      const logits = t2.apply(t1.apply(tf.reshape(dec.apply(z), [batch, 7, 7, 64])));
      return vaeLoss(x, logits, mean, logVar, batch);
    },
    dispose() {
      for (const l of layers) l.dispose();
    },
  };
}

/** One Adam training step; returns the loss value. */
export function createTrainer(model, learningRate = 1e-3) {
  const optimizer = tf.train.adam(learningRate);
  let seed = 1;
  return {
    step(x) {
      const loss = optimizer.minimize(() => model.loss(x, seed++), true, model.variables);
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
