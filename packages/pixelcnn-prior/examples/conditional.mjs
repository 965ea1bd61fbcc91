// Class conditioning (a learned per-class bias inside every gate), watching generation as it happens, and saving and
// loading in the standard tfjs format through IO handlers of your choice (memory here).
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createPixelCnn, loadPixelCnn, savePixelCnn } from '@vaejs/pixelcnn-prior';

await setupBackend();
const prior = createPixelCnn({ numCategories: 16, height: 7, width: 7, channels: 16, layers: 3, numClasses: 10 });
const rows = []; // the maps as they grow, one copy per finished row
const digits = await prior.sample(2, {
  seed: 7,
  labels: [3, 8], // or tf.tensor1d([3, 8], 'int32'), or 3 for every map
  onPosition: (row, col, partial) => {
    // partial: the live Int32Array of the 2 × 7 × 7 maps so far (draw it; copy it to keep it)
    if (col === 6) rows.push({ row, maps: Int32Array.from(partial) });
  },
});
console.log(digits.shape, rows.length, rows[0].maps.length); // [ 2, 7, 7 ] 7 98

const stored = new Map(); // in Node, @vaejs/training's fileIO(dir); in a browser, URLs of model.json files
const manifest = await savePixelCnn(prior, (part) =>
  tf.io.withSaveHandler(async (artifacts) => {
    stored.set(part, artifacts);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const restored = await loadPixelCnn(manifest, (part) => tf.io.fromMemory(stored.get(part)));
const again = await restored.sample(2, { seed: 7, labels: [3, 8] }); // the same weights and seed: the same maps
const identical = tf.tidy(() => tf.all(tf.equal(digits, again)).dataSync()[0] === 1);
console.log(manifest.format, manifest.parts, restored.config.numClasses, identical); // vaejs-pixelcnn [ 'network' ] 10 true
tf.dispose([digits, again]);
prior.dispose();
restored.dispose();
