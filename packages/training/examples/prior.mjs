// A PixelCNN prior over the code maps of the VQ-VAE that vqvae.mjs trained (run that first), then new digits in two
// stages: maps sampled from the prior, decoded by the VQ-VAE.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { encodeCodeMaps, loadMnist, subset } from '@vaejs/datasets';
import { createPixelCnn, createTwoStageSampler } from '@vaejs/pixelcnn-prior';
import { createRunReader, fileRunSource, fit, writeImageGrid } from '@vaejs/training';
import { vqVaeLoader } from '@vaejs/vqvae';

await setupBackend();
const reader = createRunReader([vqVaeLoader]); // reads run folders of the kinds it is given loaders for
const vqvae = await reader.load(await reader.locate(fileRunSource('runs/vqvae'))); // its newest checkpoint
const [height, width] = vqvae.latentShape; // 7×7 codes for 28×28 images

// the images as the VQ-VAE's code maps: int32 [n, 7, 7] of 128 codes, encoded 500 at a time
const train = await encodeCodeMaps(subset(loadMnist({ split: 'train' }), 0, 2048), vqvae);
const test = await encodeCodeMaps(subset(loadMnist({ split: 'test' }), 0, 500), vqvae);

// A small prior (the default has 6 blocks of 64 channels), to train in seconds.
const prior = createPixelCnn({ numCategories: 128, height, width, channels: 32, layers: 4 });
const options = { epochs: 1, batchSize: 64, learningRate: 3e-3, runDir: 'runs/prior', seed: 1, resume: 'auto' };
const [record] = (await fit(prior, { train, test }, options)).records;
console.log(record.test_loss.toFixed(2), record.test_bitsPerDim.toFixed(2)); // 1.58 2.28   (test nats and bits per code)

const sampler = createTwoStageSampler(prior, vqvae); // checks that the prior models this VQ-VAE's code maps
const { maps, images } = await sampler.sample(16, { seed: 1 }); // int32 [16, 7, 7], decoded to [16, 28, 28, 1]
writeImageGrid('runs/prior/digits.png', images, { columns: 8, scale: 2 });
console.log(maps.shape, images.shape); // [ 16, 7, 7 ] [ 16, 28, 28, 1 ]
// runs/prior/digits.png: blots after so short a training; digits after a few epochs on all of MNIST
tf.dispose([maps, images]);
prior.dispose();
vqvae.dispose();
