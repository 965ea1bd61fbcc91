// EMA codebook updates, dead-code restarts and k-means initialisation: the updates that are not gradients are explicit
// calls, made after the optimiser's step.
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@vaejs/backend';
import { createCodeUsageAccumulator, createVectorQuantizer } from '@vaejs/vqvae';

await setupBackend();
const ema = createVectorQuantizer({ dim: 4, codebookSize: 32, ema: true, decay: 0.99, deadCodeThreshold: 1, seed: 7 });
const epoch = createCodeUsageAccumulator(32); // code counts over an epoch
const batch = tf.randomNormal([64, 4], 0, 1, 'float32', 2);
ema.initialize(batch); // k-means on the first batch (10 Lloyd iterations)
for (let step = 0; step < 3; step++) {
  const result = ema.quantize(batch); // in a train step: minimise your loss + result.loss
  const { restarted } = ema.update(batch, result.indices); // EMA step, then restart codes whose count N < 1
  epoch.add(result.indices);
  tf.dispose([...Object.values(result), restarted]);
}
const perplexity = await epoch.perplexity();
console.log(perplexity.toFixed(1), await epoch.usage(), (await epoch.histogram()).length); // 27.2 1 32
epoch.dispose();
ema.dispose();
batch.dispose();
