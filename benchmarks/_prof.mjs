const tf = await import('@tensorflow/tfjs-core');
const { setupBackend } = await import('@vaejs/backend');
tf.env().set('PROD', true);
await setupBackend({ backend: 'wasm', native: true, threads: 1 });
const { createVae } = await import('@vaejs/vae');
const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: process.argv[2] ?? 'mlp', hidden: [400] });
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', 1);
const step = () => {
  const p = vae.trainStep(opt, { x });
  p.loss.dataSync();
  tf.dispose(p);
};
for (let i = 0; i < Number(process.env.WARM ?? 50); i++) step();
if (process.env.MARK) console.log('=== MARK');
const t = performance.now();
for (let i = 0; i < Number(process.argv[3] ?? 1000); i++) step();
console.log(((performance.now() - t) / Number(process.argv[3] ?? 1000)).toFixed(2), 'ms/step');
