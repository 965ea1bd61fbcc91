// TypeScript. Save and load without a file system: each part goes through the IO handler you give for it (here
// memory; @vaejs/training's fileIO(dir) in Node, URLs in a browser); the returned manifest is what to store as vae.json.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createVae, loadVae, saveVae, type VaeManifest } from '@vaejs/vae';

await setupBackend();
const store = new Map<string, tf.io.ModelArtifacts>();
const ae = createVae({ inputShape: [28, 28, 1], latentDim: 16, kind: 'dae', likelihood: 'gaussian-learned' });
const manifest: VaeManifest = await saveVae(ae, (part) =>
  tf.io.withSaveHandler(async (artifacts) => {
    store.set(part, artifacts);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
console.log(manifest.format, manifest.version, manifest.parts); // vaejs-vae 1 [ 'encoder', 'decoder' ]
const loaded = await loadVae(manifest, (part) => tf.io.fromMemory(store.get(part) as tf.io.ModelArtifacts));
// in a browser: await loadVae(await (await fetch('run/vae.json')).json(), (part) => `run/${part}/model.json`);

const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 4);
const [before, after] = [ae.reconstruct(x), loaded.reconstruct(x)];
const identical = tf.tidy(() => tf.all(tf.equal(before, after)).dataSync()[0] === 1);
console.log(loaded.config.kind, loaded.config.likelihood, identical); // dae gaussian-learned true
tf.dispose([x, before, after]);
ae.dispose();
loaded.dispose();
