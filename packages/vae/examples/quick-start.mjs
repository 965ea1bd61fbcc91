import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createVae } from '@vaejs/vae';

await setupBackend();
// The VAE of PyTorch's examples/vae: 784 → 400 relu → 20 + 20; 20 → 400 relu → 784, Bernoulli likelihood.
const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
const optimizer = tf.train.adam(1e-3);
const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1); // a batch: float32 [8, 28, 28, 1] in [0, 1]

const parts = vae.trainStep(optimizer, { x }, { seed: 1 }); // { loss, reconstruction, kl }: float32 scalars
console.log(parts.loss.dataSync()[0].toFixed(1)); // 551.8   (nats per image: BCE summed over 784 pixels + KL)
tf.dispose(Object.values(parts)); // the caller owns what a step returns

const { mean, logVar } = vae.encode(x); // [8, 20], [8, 20] (logVar is null for a plain autoencoder)
const z = vae.sampleZ(mean, logVar, 7); // [8, 20], seeded
const images = vae.decode(z); // [8, 28, 28, 1], Bernoulli means (sigmoid of the decoder's logits)
const samples = vae.generate(16, { seed: 3 }); // [16, 28, 28, 1], decoded z ~ N(0, I)
const [first, second] = [tf.slice(x, 0, 1), tf.slice(x, 1, 1)];
const path = vae.interpolate(first, second, 10); // [10, 28, 28, 1]
const manifold = vae.latentGrid(15); // [225, 28, 28, 1], dims 0 and 1 over Φ⁻¹(0.05 … 0.95)
console.log(...[mean, z, images, samples, path, manifold].map((t) => t.shape));
// [ 8, 20 ] [ 8, 20 ] [ 8, 28, 28, 1 ] [ 16, 28, 28, 1 ] [ 10, 28, 28, 1 ] [ 225, 28, 28, 1 ]
tf.dispose([x, mean, logVar, z, images, samples, first, second, path, manifold]);
vae.dispose();
optimizer.dispose();
