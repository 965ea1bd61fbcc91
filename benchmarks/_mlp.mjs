import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createVae } from '@vaejs/vae';

await setupBackend({ backend: 'wasm', native: true, threads: 1 });
tf.env().set('PROD', true);
const model = createVae({ inputShape: [28, 28, 1], arch: 'mlp', hidden: [400], latentDim: 20 });
const opt = tf.train.adam(1e-3);
const x = tf.cast(tf.greater(tf.randomUniform([128, 28, 28, 1]), 0.5), 'float32');
const step = () => {
  const p = model.trainStep(opt, { x });
  p.loss.dataSync();
  tf.dispose(p);
};
for (let i = 0; i < 1500; i++) step();
