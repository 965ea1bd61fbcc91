// Builds the addon from source into prebuilds/<platform>-<arch>/ where a C++ toolchain and oneDNN's development files
// are on the machine (Debian: apt-get install g++ make python3 libdnnl-dev), and bundles the shared libraries it needs
// beyond glibc and libstdc++ (oneDNN, its OpenMP runtime, the OpenCL loader it links) beside it: the .node carries an
// $ORIGIN rpath, so the package runs where those libraries are not installed. Where the addon cannot be built, it
// writes why to build-skipped.json (the loader puts that in the backend line) and exits 0: @vaejs/backend then uses
// the wasm fast path. Never run at install time. `--force` rebuilds even when the prebuild is up to date.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The sources are in addon/, not at the root: a binding.gyp at a package's root makes npm compile it at install.
const addonDir = join(root, 'addon');
const platform = `${process.platform}-${process.arch}`;
const outDir = join(root, 'prebuilds', platform);
const addonFile = join(outDir, 'vaejs_native.node');
const skippedFile = join(root, 'build-skipped.json');
const force = process.argv.includes('--force');

/** Libraries every glibc Linux has (or Node itself needs): not bundled. */
const SYSTEM = /^(linux-vdso|ld-linux|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s)\.so/;

function skip(reason) {
  writeFileSync(skippedFile, `${JSON.stringify({ platform, reason }, null, 2)}\n`);
  console.log(`@vaejs/backend-native: not built (${reason}); @vaejs/backend will use the wasm fast path`);
  process.exit(0);
}

function newestSource() {
  const files = [
    join(addonDir, 'binding.gyp'),
    ...readdirSync(join(addonDir, 'src')).map((f) => join(addonDir, 'src', f)),
  ];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

if (platform !== 'linux-x64') skip(`prebuilds are made for linux-x64 only, this is ${platform}`);
if (!force && existsSync(addonFile) && statSync(addonFile).mtimeMs > newestSource()) {
  console.log(`@vaejs/backend-native: ${addonFile} is up to date`);
  process.exit(0);
}
// Node's own headers (Debian's nodejs and the official tarballs put them in <prefix>/include/node); never downloaded.
const nodeDir = [dirname(dirname(process.execPath)), process.config.variables.node_prefix].find((prefix) =>
  existsSync(join(prefix ?? '', 'include', 'node', 'node_api.h')),
);
if (!nodeDir) skip(`Node's headers are not in ${join(dirname(dirname(process.execPath)), 'include', 'node')}`);
const header = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find(existsSync);
if (!header) skip('oneDNN headers not found (Debian: apt-get install libdnnl-dev)');

let nodeGyp;
try {
  nodeGyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  skip('node-gyp is not installed (pnpm install)');
}
try {
  execFileSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
    cwd: addonDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
} catch (error) {
  const lines = `${error.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  skip(`the compile failed: ${(lines[0] ?? error.message).trim()}`);
}

// The built addon and the libraries it loads that are not part of the base system, found by the dynamic loader.
const built = join(addonDir, 'build', 'Release', 'vaejs_native.node');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
copyFileSync(built, addonFile);
const ldd = execFileSync('ldd', [built], { encoding: 'utf8' });
const bundled = [];
for (const line of ldd.split('\n')) {
  const match = /^\s*(\S+)\s+=>\s+(\S+)/.exec(line);
  if (!match || SYSTEM.test(match[1])) continue;
  if (match[2] === 'not') skip(`${match[1]} is not found by the dynamic loader`);
  copyFileSync(match[2], join(outDir, match[1]));
  bundled.push(match[1]);
}
rmSync(skippedFile, { force: true });

// The prebuild must load with only what it carries: check in a clean process.
const check = execFileSync(
  process.execPath,
  ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addonFile)}).info()))`],
  { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } },
);
const resolved = execFileSync('ldd', [addonFile], { encoding: 'utf8' });
for (const name of bundled) {
  if (!resolved.includes(join(outDir, name)))
    throw new Error(`${name} does not resolve beside the addon:\n${resolved}`);
}
const info = JSON.parse(check);
const size = [basename(addonFile), ...bundled].reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
console.log(
  `@vaejs/backend-native: built ${platform} (${info.library} ${info.version}, ${info.isa}); bundled ${bundled.join(', ')}; ${(size / 2 ** 20).toFixed(1)} MiB`,
);
