// oneDNN 2.6.3 corrupts the heap when a signal handler runs during its JIT GEMM; the addon defers signals around its
// oneDNN calls. Here V8's sampling profiler (--prof: a SIGPROF every millisecond) runs while the addon multiplies
// matrices and convolves: before the fix this aborted with "free(): invalid next size" within a second.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from './__fixtures__/native';

const work = mkdtempSync(join(tmpdir(), 'vaejs-signals-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const script = (addonPackage: string) => `
const addon = require(${JSON.stringify(addonPackage)}).load();
const a = new Float32Array(128 * 784).fill(0.5), b = new Float32Array(784 * 400).fill(0.25), out = new Float32Array(128 * 400);
const x = new Float32Array(32 * 14 * 14 * 32).fill(0.1), f = new Float32Array(4 * 4 * 32 * 64).fill(0.1), y = new Float32Array(32 * 7 * 7 * 64);
const garbage = [];
for (let i = 0; i < 600; i++) {
  addon.matMul(a, b, out, null, 1, 128, 400, 784, false, false, 1, 1, 0, 0);
  addon.conv2D(x, f, y, null, 0, 0, 32, 14, 14, 32, 7, 7, 64, 4, 4, 2, 2, 1, 1, 1, 1);
  garbage.push(new Array(1000).fill(i)); if (garbage.length > 50) garbage.shift();
}
if (out[0] !== 784 * 0.125) throw new Error('wrong product ' + out[0]);
console.log('ok');
`;

describe.runIf(native.addon != null)('the native addon under signals', () => {
  it('survives V8 sampling profiler signals during its oneDNN calls', () => {
    const addonPackage = createRequire(import.meta.url).resolve('@vaejs/backend-native');
    const run = spawnSync(process.execPath, ['--prof', '-e', script(addonPackage)], { cwd: work, encoding: 'utf8' });
    expect(run.stderr.split('\n').find((line) => /free\(\)|corrupted|Aborted/.test(line)) ?? '').toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('ok');
  }, 60_000);
});
