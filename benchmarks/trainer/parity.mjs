// Same-stream parity with PyTorch: replays a run of reference/pytorch_vae.py --dump (its initial weights, its
// shuffled order and its reparameterisation noise, step by step) through vaejs' MLP VAE, layers, losses, Adam and fast
// kernels, so that the two test losses differ only by floating-point arithmetic, not by random draws.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LATENT = 20;
const PIXELS = 784;
const BATCH = 128;

function floats(path) {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function ints(path) {
  const bytes = readFileSync(path);
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/**
 * Trains vaejs' PyTorch-examples VAE on the dumped streams; returns one { epoch, test_loss, train_loss } per epoch.
 * The backend is set up as the trainer's (`setupBackend`: wasm with the fast kernels, `threads` threads).
 */
export async function replayPytorchRun({ dump, epochs, threads }) {
  const { setupBackend } = await import('@vaejs/backend');
  await setupBackend({ backend: 'wasm', threads });
  const { bceWithLogits, klStandardNormal } = await import('@vaejs/core');
  const tf = await import('@tensorflow/tfjs-core');
  const { createVae } = await import('@vaejs/vae');
  const { loadMnist } = await import('@vaejs/datasets');
  const pixels = (split) => Float32Array.from(loadMnist({ split }).images, (v) => v / 255);
  const train = pixels('train');
  const test = pixels('test');
  const vae = createVae({ inputShape: [28, 28, 1], latentDim: LATENT, arch: 'mlp', hidden: [400], init: 'pytorch' });
  const init = floats(join(dump, 'init.bin'));
  let offset = 0;
  const setFrom = (model, name) => {
    const layer = model.getLayer(name);
    const next = layer.getWeights().map((w) => {
      const t = tf.tensor(init.slice(offset, offset + w.size), w.shape);
      offset += w.size;
      return t;
    });
    layer.setWeights(next);
    tf.dispose(next);
  };
  for (const name of ['enc_dense_0', 'z_mean', 'z_log_var']) setFrom(vae.encoder, name);
  for (const name of ['dec_dense_0', 'dec_output']) setFrom(vae.decoder, name);
  if (offset !== init.length) throw new Error(`parity: expected ${offset} floats in init.bin, got ${init.length}`);
  const variables = vae.trainableVariables();
  const optimizer = tf.train.adam(1e-3);
  const lossPerExample = (x, eps) => {
    const [mean, logVar] = vae.encoder.apply(x);
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    return tf.add(bceWithLogits(x, vae.decoder.apply(z)), klStandardNormal(mean, logVar));
  };
  const batchOf = (images, ids) => {
    const x = new Float32Array(ids.length * PIXELS);
    ids.forEach((id, i) => {
      x.set(images.subarray(id * PIXELS, (id + 1) * PIXELS), i * PIXELS);
    });
    return tf.tensor4d(x, [ids.length, 28, 28, 1]);
  };
  const lines = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const perm = ints(join(dump, `perm-${epoch}.bin`));
    const eps = floats(join(dump, `eps-${epoch}.bin`));
    const testEps = floats(join(dump, `test-eps-${epoch}.bin`));
    // the epoch's summed training loss stays on the backend; one read-back at the end of the epoch
    let trainSum = tf.scalar(0);
    for (let start = 0; start < perm.length; start += BATCH) {
      const ids = perm.subarray(start, Math.min(perm.length, start + BATCH));
      const x = batchOf(train, ids);
      const e = tf.tensor2d(eps.subarray(start * LATENT, (start + ids.length) * LATENT), [ids.length, LATENT]);
      const loss = optimizer.minimize(() => tf.mean(lossPerExample(x, e)), true, variables);
      const previous = trainSum;
      trainSum = tf.tidy(() => tf.add(previous, tf.mul(loss, ids.length)));
      tf.dispose([x, e, loss, previous]);
    }
    const trainTotal = (await trainSum.data())[0];
    trainSum.dispose();
    let testSum = 0;
    const testCount = test.length / PIXELS;
    for (let start = 0; start < testCount; start += BATCH) {
      const n = Math.min(BATCH, testCount - start);
      const sum = tf.tidy(() => {
        const x = tf.tensor4d(test.subarray(start * PIXELS, (start + n) * PIXELS), [n, 28, 28, 1]);
        const e = tf.tensor2d(testEps.subarray(start * LATENT, (start + n) * LATENT), [n, LATENT]);
        return tf.sum(lossPerExample(x, e));
      });
      testSum += (await sum.data())[0];
      sum.dispose();
    }
    lines.push({ epoch, train_loss: trainTotal / perm.length, test_loss: testSum / testCount });
  }
  optimizer.dispose();
  vae.dispose();
  return lines;
}
