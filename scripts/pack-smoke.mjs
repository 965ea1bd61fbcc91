#!/usr/bin/env node
// Packs every published package, installs each one alone (with the workspace packages it depends on and its peer
// dependencies from the registry) into an empty folder outside the workspace, and imports it from ESM and CJS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpm = ['-y', 'pnpm@10.34.8'];
const packages = ['core', 'backend', 'datasets', 'vae', 'vqvae', 'pixelcnn-prior'];
const work = mkdtempSync(join(tmpdir(), 'vaejs-pack-'));
const tarballs = {};

// What each package must be able to do once installed: a few lines run from ESM and from CJS.
const smoke = {
  core: `const x = tf.tensor2d([[0.5, -1]]); const kl = core.klStandardNormal(x, x); if (!(kl.shape[0] === 1)) throw new Error('kl shape');`,
  backend: `const s = await core.setupBackend({ backend: 'cpu' }); const again = await core.setupBackend({ backend: 'cpu' }); const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2])).dataSync(); const ok = s.name === 'cpu' && s.tfBackendName === 'cpu' && s.fast === false && s.threads === 1 && s.freeingGradients === true && s.skipped.length === 0 && s.gradients === 'bundled-copy' && again.gradients === 'already-registered' && s.kernels.length === 0 && s.notes.length === 0 && s.summary === 'backend: cpu' && g[0] === 2 && g[1] === 4 && tf.getBackend() === 'cpu'; if (!ok) throw new Error('setupBackend ' + JSON.stringify({ s, again, g: Array.from(g) }));`,
  datasets: `const d = core.createBatches ? true : false; if (!d) throw new Error('createBatches missing');`,
  vae: `const m = core.createVae({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: 8 }); const out = m.reconstruct(tf.zeros([2, 4, 4, 1])); if (out.shape.join() !== '2,4,4,1') throw new Error('vae shape ' + out.shape); m.dispose();`,
  vqvae: `const q = core.createVectorQuantizer({ dim: 4, codebookSize: 8 }); const r = q.quantize(tf.zeros([3, 4])); if (r.indices.dtype !== 'int32') throw new Error('vq dtype'); q.dispose();`,
  'pixelcnn-prior': `if (typeof core.createPixelCnn !== 'function') throw new Error('createPixelCnn missing');`,
};
const peers = {
  core: ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
  backend: ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
  datasets: ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
  vae: ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0', '@tensorflow/tfjs-layers@4.22.0'],
  vqvae: ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0', '@tensorflow/tfjs-layers@4.22.0'],
  'pixelcnn-prior': [
    '@tensorflow/tfjs-core@4.22.0',
    '@tensorflow/tfjs-backend-cpu@4.22.0',
    '@tensorflow/tfjs-layers@4.22.0',
  ],
};

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

try {
  for (const name of packages) {
    const dir = join(root, 'packages', name);
    run('npx', [...pnpm, 'pack', '--pack-destination', work], dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(work).find((f) => f.startsWith(`vaejs-${name}-${manifest.version}`) && f.endsWith('.tgz'));
    tarballs[name] = join(work, file);
  }
  let failures = 0;
  for (const name of packages) {
    const app = join(work, `app-${name}`);
    run('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true }));
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    const internal = Object.keys(manifest.dependencies ?? {})
      .filter((dep) => dep.startsWith('@vaejs/'))
      .map((dep) => tarballs[dep.slice('@vaejs/'.length)]);
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs[name], ...internal, ...peers[name]],
      app,
    );
    const setup = `await tf.setBackend('cpu');`;
    writeFileSync(
      join(app, 'smoke.mjs'),
      `import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-cpu'; import * as core from '@vaejs/${name}';\n${setup}\n${smoke[name]}\nconsole.log('esm ok');\n`,
    );
    writeFileSync(
      join(app, 'smoke.cjs'),
      `const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu'); const core = require('@vaejs/${name}');\n(async () => { ${setup}\n${smoke[name]}\nconsole.log('cjs ok'); })().catch((e) => { console.error(e); process.exit(1); });\n`,
    );
    for (const script of ['smoke.mjs', 'smoke.cjs']) {
      try {
        run('node', [script], app);
        console.log(`@vaejs/${name}: ${script.endsWith('mjs') ? 'ESM' : 'CJS'} import works`);
      } catch (error) {
        failures++;
        console.error(`@vaejs/${name}: ${script} failed\n${error.stderr || error.message}`);
      }
    }
  }
  if (failures > 0) {
    console.error(`pack smoke: ${failures} failed`);
    process.exit(1);
  }
  console.log('pack smoke: every package installs alone and imports from ESM and CJS');
} finally {
  rmSync(work, { recursive: true, force: true });
}
