import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createPixelCnn } from '@vaejs/pixelcnn-prior';

await setupBackend();
// A prior over 7×7 maps of 16 categories; random maps stand in for a VQ-VAE's code maps.
const prior = createPixelCnn({ numCategories: 16, height: 7, width: 7, channels: 16, layers: 3 });
const codes = tf.tidy(() => tf.cast(tf.floor(tf.randomUniform([8, 7, 7], 0, 16, 'float32', 1)), 'int32'));
const logits = prior.logits(codes); // [8, 7, 7, 16]: position (r, c) sees only the positions before it (raster order)

const optimizer = tf.train.adam(1e-3);
const { loss, bitsPerDim } = prior.trainStep(optimizer, { x: codes }); // scalars: nats per position, loss / ln 2
console.log(logits.shape, loss.dataSync()[0].toFixed(3), bitsPerDim.dataSync()[0].toFixed(3));
// [ 8, 7, 7, 16 ] 2.786 4.019   (untrained: about ln 16 = 2.773 nats, 4 bits, the cost of a uniform guess)
const test = await prior.evaluate(codes, { batchSize: 4 }); // { loss, bitsPerDim } as numbers, over all maps
console.log(test.loss.toFixed(3), test.bitsPerDim.toFixed(3)); // 2.769 3.995   (after one step)

const sampled = await prior.sample(4, { seed: 1, temperature: 1 }); // int32 [4, 7, 7], same seed → same maps
const greedy = await prior.sample(4, { temperature: 0 }); // argmax at every position
console.log(sampled.dtype, sampled.shape, greedy.shape); // int32 [ 4, 7, 7 ] [ 4, 7, 7 ]
tf.dispose([codes, logits, loss, bitsPerDim, sampled, greedy]);
optimizer.dispose();
prior.dispose();
