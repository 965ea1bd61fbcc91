// A VQ-VAE on a part of MNIST (2,048 training and 500 test images, to run in seconds: drop `subset` for all of it).
import { setupBackend } from '@vaejs/backend';
import { loadMnist, subset } from '@vaejs/datasets';
import { fit } from '@vaejs/training';
import { createVqVae } from '@vaejs/vqvae';

await setupBackend();
const train = subset(loadMnist({ split: 'train' }), 0, 2048);
const test = subset(loadMnist({ split: 'test' }), 0, 500);
const vqvae = createVqVae({
  inputShape: [28, 28, 1],
  dim: 16,
  codebookSize: 128,
  dataVariance: 0.095, // MNIST's pixel variance: the loss is the MSE over it, as in the Keras example
  quantizer: { ema: true, deadCodeThreshold: 1 }, // EMA codebook; codes unused in a batch restart
});
const options = { epochs: 1, batchSize: 32, runDir: 'runs/vqvae', seed: 1, resume: 'auto' };
const [record] = (await fit(vqvae, { train, test }, options)).records;
console.log(record.test_reconstructionMse.toFixed(3), record.test_code_perplexity.toFixed(1), record.test_code_usage);
// 0.030 14.0 0.5   (test MSE per pixel, code perplexity and share of the 128 codes in use)
