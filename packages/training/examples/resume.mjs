// Exact resume: a run stopped after epoch 1 and resumed by a new model object ends bit-identical to a run that went
// straight to epoch 3. Then the checkpoint is loaded and scored with evaluate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupBackend } from '@vaejs/backend';
import { loadMnist, subset } from '@vaejs/datasets';
import { evaluate, findLatestCheckpoint, fit } from '@vaejs/training';
import { createVae, loadVae } from '@vaejs/vae';

await setupBackend();
const data = { train: subset(loadMnist(), 0, 1024), test: subset(loadMnist({ split: 'test' }), 0, 256) };
const config = { inputShape: [28, 28, 1], latentDim: 8, arch: 'mlp', hidden: 128 };
const options = { batchSize: 64, seed: 2, verbose: 0 };
const [straightDir, splitDir] = ['straight', 'split'].map((name) => mkdtempSync(join(tmpdir(), `vaejs-${name}-`)));

for (const [epochs, runDir, resume] of [
  [3, straightDir, false], // straight to epoch 3
  [1, splitDir, false], // stopped after epoch 1 (as if the process had been killed)...
  [3, splitDir, true], // ...and resumed to epoch 3 by a new model object (its own weights are replaced)
]) {
  const vae = createVae({ ...config, seed: resume ? 99 : 0 });
  const history = await fit(vae, data, { ...options, epochs, runDir, resume });
  vae.dispose();
  console.log(history.epochs, history.history.test_loss.map((loss) => loss.toFixed(2)).join(' '));
}
// [ 1, 2, 3 ] 387.89 260.83 233.40
// [ 1 ] 387.89
// [ 1, 2, 3 ] 387.89 260.83 233.40

const weights = (dir) => readFileSync(join(findLatestCheckpoint(dir).location, 'encoder', 'weights.bin'));
console.log(weights(splitDir).equals(weights(straightDir))); // true   (the same bytes)

const checkpoint = findLatestCheckpoint(splitDir); // { location, info, manifest, io }
const loaded = await loadVae(checkpoint.manifest, checkpoint.io);
const scores = await evaluate(loaded, data.test, { seed: options.seed }); // fit's seed: fit's figures
console.log(checkpoint.info.epoch, scores.loss.toFixed(2), scores.reconstruction.toFixed(2), scores.kl.toFixed(2));
// 3 233.40 217.30 16.10   (test means in nats: a VAE's parts; metrics.jsonl calls reconstruction `recon`)
loaded.dispose();
for (const dir of [straightDir, splitDir]) rmSync(dir, { recursive: true });
