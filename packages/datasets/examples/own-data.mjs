// Your own images as a dataset: from bytes in memory, saved as IDX files (the MNIST format, raw or gzip) and read back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createBatches, createDataset, decodeIdx, encodeIdx, loadIdxFolder } from '@vaejs/datasets';

await setupBackend();
// 100 grey 8×8 images of a bright square in one of four corners, labelled by the corner: uint8 bytes, HWC order.
const images = new Uint8Array(100 * 8 * 8);
const labels = Int32Array.from({ length: 100 }, (_, i) => i % 4);
labels.forEach((corner, i) => {
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) images[i * 64 + (y + 4 * (corner >> 1)) * 8 + x + 4 * (corner & 1)] = 255;
  }
});
const squares = createDataset({ name: 'squares', imageShape: [8, 8, 1], images, labels }); // checked, frozen
console.log(squares.size, squares.imageShape, squares.numClasses); // 100 [ 8, 8, 1 ] 4

// As IDX files, raw or gzip (train-* and t10k-*, as MNIST names them), read back by loadIdxFolder.
mkdirSync('squares', { recursive: true });
writeFileSync('squares/train-images-idx3-ubyte.gz', gzipSync(encodeIdx('uint8', [100, 8, 8], images)));
writeFileSync('squares/train-labels-idx1-ubyte', encodeIdx('uint8', [100], labels));
const loaded = loadIdxFolder({ dir: 'squares', split: 'train' });
console.log(loaded.name, loaded.size, loaded.imageShape); // squares-train 100 [ 8, 8, 1 ]

// In a browser, decodeIdx reads the bytes of a fetched file (gunzipped by its magic number, no node:zlib).
const idx = await decodeIdx(gzipSync(encodeIdx('uint8', [100], labels)));
console.log(idx.dtype, idx.shape, Array.from(idx.data.subarray(0, 6))); // uint8 [ 100 ] [ 0, 1, 2, 3, 0, 1 ]

const batch = createBatches(loaded, { batchSize: 32, seed: 1 }).batch(0); // a seeded shuffle
const brightest = tf.tidy(() => tf.max(batch.x).dataSync()[0]); // bytes / 255: values in [0, 1]
console.log(batch.x.shape, batch.labelsOneHot.shape, brightest); // [ 32, 8, 8, 1 ] [ 32, 4 ] 1
tf.dispose(batch);
