// Reading run folders, over files and over HTTP alike: a run's config, its newest checkpoint, and the model in it,
// loaded by the loader of its kind (each model package exports one). Run quick-start.mjs, vqvae.mjs and prior.mjs
// first: this reads the runs they wrote.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { setupBackend } from '@vaejs/backend';
import { pixelCnnLoader } from '@vaejs/pixelcnn-prior';
import { createRunReader, fileRunSource, httpRunSource } from '@vaejs/training';
import { vaeLoader } from '@vaejs/vae';
import { vqVaeLoader } from '@vaejs/vqvae';

await setupBackend();
const reader = createRunReader([vaeLoader, vqVaeLoader, pixelCnnLoader]);
for (const run of ['runs/vae', 'runs/vqvae', 'runs/prior']) {
  const config = await reader.readConfig(fileRunSource(run)); // config.json: what the run trains
  const checkpoint = await reader.locate(fileRunSource(run)); // the newest checkpoint: { location, kind, info, … }
  console.log(config.kind, config.data.train.size, checkpoint.info.epoch, checkpoint.location);
}
// vae 60000 1 runs/vae/checkpoints/epoch-0001
// vqvae 2048 1 runs/vqvae/checkpoints/epoch-0001
// pixelcnn 2048 1 runs/prior/checkpoints/epoch-0001

// The same runs served over HTTP, as a page reads them (here by this script, on this machine only)
const server = createServer((request, response) => {
  const path = `.${new URL(request.url, 'http://localhost').pathname}`;
  if (existsSync(path) && statSync(path).isFile()) createReadStream(path).pipe(response);
  else response.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const overHttp = await reader.locate(httpRunSource(`${origin}/runs/vae`), { kinds: ['vae'] });
const fromHttp = await reader.load(overHttp); // a Vae: the checks of the Node reader (plain weight paths, sizes…)
const fromFiles = await reader.load(await reader.locate(fileRunSource('runs/vae')));
const weights = (vae) => Array.from(vae.encoder.getWeights()[0].dataSync());
console.log(overHttp.location.slice(origin.length), weights(fromHttp).join() === weights(fromFiles).join());
// /runs/vae/checkpoints/epoch-0001/ true
server.close();
fromHttp.dispose();
fromFiles.dispose();
