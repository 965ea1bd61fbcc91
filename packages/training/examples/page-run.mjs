// What a page or a Web Worker does to train (the demo's training view does this), run here in Node: each step's
// losses for a live chart, each epoch's pictures as plain data, Pause and Stop from outside, and the run kept as files
// — in a browser `await openIndexedDbRun('vae', { resume: 'auto' })`, here in a Map — then one zip the CLI reads.
import { setupBackend } from '@vaejs/backend';
import { loadMnist, subset } from '@vaejs/datasets';
import {
  createPauseSwitch,
  createRunReader,
  filesRunSource,
  fit,
  openFilesRun,
  readZip,
  writeZip,
} from '@vaejs/training';
import { createVae, vaeLoader } from '@vaejs/vae';

await setupBackend();
const data = { train: subset(loadMnist(), 0, 2048), test: subset(loadMnist({ split: 'test' }), 0, 500) };
const config = { inputShape: [28, 28, 1], latentDim: 2, arch: 'mlp', hidden: 128 };
const files = new Map(); // the run folder: path → bytes (config.json, metrics.jsonl, checkpoints/…)
const pause = createPauseSwitch();
const stop = new AbortController();
const losses = [];
const page = {
  onBatchEnd(logs) {
    losses.push(logs.losses); // every step with logEvery: 1: { loss, recon, kl }, the points of a chart
    if (logs.step === 40) {
      pause.pause(); // a Pause button; Resume 100 ms later
      setTimeout(() => pause.resume(), 100);
    }
    if (logs.step === 80) stop.abort(); // a Stop button, in epoch 2 (64 steps an epoch)
  },
  onPreviews(epoch, pictures) {
    const { shape, columns } = pictures.samples; // pictures.samples.images: a Float32Array for a canvas
    console.log(epoch, Object.keys(pictures).join(' '), shape.join('×'), columns);
  },
};
const options = { epochs: 3, batchSize: 32, logEvery: 1, verbose: 0 };
const vae = createVae(config);
const store = openFilesRun(files, { resume: false });
const first = await fit(vae, data, { ...options, signal: stop.signal, pause, store, callbacks: [page] });
console.log(first.stopReason, first.epochs, losses.length, Object.keys(losses[0]).join(' '));
// 1 reconstructions samples latent-grid 64×28×28×1 8
// stopped [ 1 ] 80 loss recon kl        (a checkpoint of step 80 is kept: resume continues from it)
vae.dispose();

const again = createVae(config); // a reload: a new model, the kept files
const second = await fit(again, data, { ...options, store: openFilesRun(files, { resume: true }) });
console.log(second.epochs, second.history.test_loss.map((loss) => loss.toFixed(1)).join(' '));
// [ 1, 2, 3 ] 237.0 215.8 203.6   (test loss by epoch: the same numbers as a run never stopped)
again.dispose();

const zip = writeZip(files); // what the page downloads: `vaejs eval --run vae.zip` reads it
const reader = createRunReader([vaeLoader]);
const kept = await reader.locate(filesRunSource(await readZip(zip, 'vae.zip'), 'vae.zip'));
console.log(kept.location, kept.info.epoch, (zip.byteLength / 1e6).toFixed(1), 'MB');
// vae.zip/checkpoints/epoch-0003/ 3 4.9 MB
