const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
const names = (process.env.STOCK ?? '').split(',').filter(Boolean);
const stock = Object.fromEntries(names.map((n) => [n, tf.getKernel(n, 'wasm')]));
const { setupBackend } = await import('@vaejs/backend');
tf.env().set('PROD', true);
await setupBackend({ backend: 'wasm', native: true, threads: 1 });
for (const n of names) { tf.unregisterKernel(n, 'wasm'); if (stock[n]) tf.registerKernel(stock[n]); }
const { createVae } = await import('@vaejs/vae');
const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: [400] });
const opt = process.env.SGD ? tf.train.sgd(1e-3) : tf.train.adam(1e-3);
const x = tf.randomUniform([128, 28, 28, 1], 0, 1, 'float32', 1);
const step = () => { const p = vae.trainStep(opt, { x }); p.loss.dataSync(); tf.dispose(p); };
for (let i = 0; i < 300; i++) step();
console.log('ok');
