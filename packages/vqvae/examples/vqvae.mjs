// A VQ-VAE: train a step, encode images to int32 code maps, decode them, save and load. Its sizes are required; the
// rest defaults to the Keras example's MNIST model (conv 32 and 64, stride 2; D = 16, K = 128; 7×7 codes for 28×28).
// A smaller one here, so that it runs in a second.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createVqVae, loadVqVae, normalizedMse, pixelVariance, saveVqVae } from '@vaejs/vqvae';

await setupBackend();
const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 3); // a batch of images
const variance = pixelVariance(x); // use the training set's variance (MNIST ≈ 0.095)
const vqvae = createVqVae({
  inputShape: [16, 16, 1],
  dim: 8,
  codebookSize: 32,
  encoderFilters: [8, 16],
  dataVariance: variance.dataSync()[0],
  quantizer: { ema: true },
});
const optimizer = tf.train.adam(2e-4);
const parts = vqvae.trainStep(optimizer, { x });
console.log(Object.keys(parts).join(' ')); // scalars:
// loss reconstruction reconstructionMse codebook commitment perplexity usage restarted
tf.dispose(Object.values(parts));

const codeMap = vqvae.encode(x); // int32 [4, 4, 4]
const decoded = vqvae.decode(codeMap); // [4, 16, 16, 1]
const score = normalizedMse(x, decoded, variance); // scalar: the Keras example's "MSE over data variance"
console.log(codeMap.dtype, codeMap.shape, decoded.shape, score.shape); // int32 [ 4, 4, 4 ] [ 4, 16, 16, 1 ] []

const artifacts = {}; // in memory here; @vaejs/training's fileIO(dir) in Node, model.json URLs in a browser
const manifest = await saveVqVae(vqvae, (part) =>
  tf.io.withSaveHandler(async (saved) => {
    artifacts[part] = saved;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const loaded = await loadVqVae(manifest, (part) => tf.io.fromMemory(artifacts[part]));
const again = loaded.decode(codeMap);
const identical = tf.tidy(() => tf.all(tf.equal(again, decoded)).dataSync()[0] === 1);
console.log(manifest.format, manifest.parts, identical); // vaejs-vqvae [ 'encoder', 'quantizer', 'decoder' ] true
tf.dispose([x, variance, codeMap, decoded, score, again]);
for (const owner of [vqvae, loaded, optimizer]) owner.dispose();
