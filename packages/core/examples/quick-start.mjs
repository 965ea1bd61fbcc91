import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import {
  bceWithLogits,
  bitsPerDim,
  createRng,
  elbo,
  gaussianSample,
  iwaeBound,
  klSchedule,
  klStandardNormal,
} from '@vaejs/core';

await setupBackend(); // the backend: wasm here (or tfjs-node, or cpu, whichever is installed)

// One β-VAE loss evaluation with its parts; a random linear map stands in for a decoder.
const rng = createRng(42); // every random op takes a seed from it; rng.getState() goes into checkpoints
const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', rng.nextSeed()); // images in [0, 1]
const mean = tf.randomNormal([8, 16], 0, 1, 'float32', rng.nextSeed()); // encoder outputs
const logVar = tf.fill([8, 16], -1);
const decoder = tf.randomNormal([16, 784], 0, 0.1, 'float32', rng.nextSeed());
const beta = klSchedule({ kind: 'linear', warmupSteps: 1000 }); // β from 0 to 1 over the first 1000 steps

const parts = tf.tidy(() => {
  const z = gaussianSample(mean, logVar, rng.nextSeed()); // [8, 16], z = mean + exp(logVar / 2)·ε
  const logits = tf.reshape(tf.matMul(z, decoder), [8, 28, 28, 1]);
  const reconstruction = bceWithLogits(x, logits); // [8], nats summed over pixels
  const kl = klStandardNormal(mean, logVar); // [8], closed form
  return elbo(reconstruction, kl, { beta: beta(500) }); // β = 0.5
});
const [loss, reconstruction, kl] = [parts.loss, parts.reconstruction, parts.kl].map((t) => t.dataSync()[0]);
console.log(parts.perExample.shape, loss.toFixed(2), reconstruction.toFixed(2), kl.toFixed(2));
// [ 8 ] 572.97 567.30 11.35   (loss = reconstruction + 0.5 · kl: means over the batch, in nats)
tf.dispose([x, mean, logVar, decoder, parts]);

// A log-likelihood estimate with the importance-weighted bound (IWAE): logWeights holds
// log p(x, zᵢ) − log q(zᵢ | x) for k = 3 samples of one example.
const logWeights = tf.tensor2d([[-90], [-88], [-89.5]]); // [k = 3, batch = 1]
const logLikelihood = iwaeBound(logWeights); // [1]: log mean exp (log-sum-exp, no underflow)
const nats = -logLikelihood.dataSync()[0];
console.log(nats.toFixed(2), bitsPerDim(nats, 784).toFixed(4)); // 88.79 0.1634   (nats, bits per pixel of 28×28)
tf.dispose([logWeights, logLikelihood]);
