// TypeScript. Follow training with callbacks, stop early, and warm the KL weight up: no run folder (as in a browser).
import { setupBackend } from '@vaejs/backend';
import { klSchedule } from '@vaejs/core';
import { loadMnist, subset } from '@vaejs/datasets';
import { type Callback, type EpochRecord, earlyStopping, fit } from '@vaejs/training';
import { createVae } from '@vaejs/vae';

await setupBackend();
const data = { train: subset(loadMnist(), 0, 2048), test: subset(loadMnist({ split: 'test' }), 0, 500) };
const vae = createVae({ inputShape: [28, 28, 1], latentDim: 8, arch: 'mlp', hidden: 128 });
const beta = klSchedule({ kind: 'linear', warmupSteps: 200 }); // β from 0 to 1 over the first 200 steps

const progress: Callback = {
  onEpochEnd(record: EpochRecord) {
    const { epoch, train_loss, test_loss } = record;
    console.log(`epoch ${epoch}: train ${train_loss.toFixed(1)}, test ${test_loss.toFixed(1)}`);
  },
};
const history = await fit(vae, data, {
  epochs: 30,
  batchSize: 64,
  learningRate: 3e-3,
  verbose: 0, // no line of its own per epoch: the callback prints
  stepOptions: ({ step }) => ({ beta: beta(step) }), // extra options of every trainStep
  callbacks: [progress, earlyStopping({ monitor: 'test_loss', patience: 1, minDelta: 2 })],
});
console.log(history.stopReason, history.epochs.length, Math.min(...(history.history.test_loss ?? [])).toFixed(1));
// epoch 1: train 283.1, test 241.5
// epoch 2: train 193.5, test 195.7
// …
// epoch 9: train 139.1, test 143.2
// early-stopping 9 143.2   (epoch 9 improved the test loss by less than 2 nats)
vae.dispose();
