// `pnpm serve` (after `vite build`): serves the page on a fixed port and prints its URL. VAEJS_MODELS_DIR=<folder>
// mounts a folder of trainer runs at /user-models/; PORT overrides the port (default 4173).
import { startDemoServer } from './server.mjs';

const modelsDir = process.env.VAEJS_MODELS_DIR;
const port = Number(process.env.PORT ?? 4173);
const { url } = await startDemoServer({ port, modelsDir, host: process.env.HOST ?? '127.0.0.1' });
console.log(`vaejs demo: ${url}`);
if (modelsDir) {
  console.log(`your models (${modelsDir}): ${url}?models=/user-models/`);
  console.log(`  a folder per model: ${url}?models=/user-models/&vae=<run>&vqvae=<run>&pixelcnn=<run>`);
}
console.log('options: &backend=webgl|wasm|cpu, &bench=run; Ctrl-C stops the server');
