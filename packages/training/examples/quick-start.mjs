import { setupBackend } from '@vaejs/backend';
import { loadMnist } from '@vaejs/datasets';
import { fit } from '@vaejs/training';
import { createVae } from '@vaejs/vae';

await setupBackend(); // wasm with its native kernels here (tfjs-node when installed): one epoch in about 4 s
const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
const data = { train: loadMnist({ split: 'train' }), test: loadMnist({ split: 'test' }) };
const history = await fit(vae, data, { epochs: 1, batchSize: 128, runDir: 'runs/vae', seed: 1, resume: 'auto' });
console.log(history.history.test_loss[0].toFixed(1)); // 128.2   (nats: the negative ELBO of the test images)
// runs/vae now holds metrics.jsonl, pictures and checkpoints/epoch-0001; run it again with epochs: 2 to go on
