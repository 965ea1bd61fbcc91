// CommonJS. Ask for one backend by name: if it cannot be used, a ConfigError says why and what to install.
const tf = require('@tensorflow/tfjs-core');
const { setupBackend } = require('@vaejs/backend');

async function main() {
  try {
    await setupBackend({ backend: 'node' }); // tfjs-node: native TensorFlow, fastest on a CPU
  } catch (error) {
    console.log(error.name); // ConfigError   (here, where tfjs-node is not installed)
    console.log(error.message); // setupBackend: expected options.backend 'node' to load, got tfjs-node: not installed
    // (looked beside @vaejs/backend (…/node_modules/@vaejs/backend/dist) and from …; to use it, run: npm install
    // @tensorflow/tfjs-node).
  }
  const setup = await setupBackend({ backend: 'wasm', threads: 1 }); // or let 'auto' (the default) pick
  console.log(setup.name, setup.tfBackendName, tf.getBackend(), setup.threads, setup.gradients); // wasm wasm wasm 1 bundled-copy
  const gradient = tf.grad((v) => tf.sum(tf.square(v)))(tf.tensor1d([1, 2])); // d/dv Σ v² = 2v
  console.log(Array.from(gradient.dataSync())); // [ 2, 4 ]
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
