import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findLatestCheckpoint, loadNamedTensors } from '@vaejs/training';
import { loadVae } from '@vaejs/vae';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir, writeTinyIdxDataset } from './fixtures';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'apps', 'trainer', 'dist', 'cli.js');

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function finished(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stderr })));
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

describe('a run killed with SIGKILL at any moment', () => {
  beforeAll(() => {
    // the test drives the built CLI in a child process: build it (turbo: a no-op when nothing changed)
    execFileSync(
      'npx',
      [
        '-y',
        'pnpm@10.34.8',
        'exec',
        'turbo',
        'run',
        'build',
        '--filter=@vaejs/trainer...',
        '--output-logs=errors-only',
      ],
      { cwd: root, stdio: 'ignore' },
    );
  }, 300_000);

  it('always leaves a loadable checkpoint, and --resume finishes the run', async () => {
    const data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'), 512);
    const run = join(temporaryDir(), 'run');
    const flags = [
      '--model',
      'vae',
      '--arch',
      'mlp',
      '--hidden',
      '16',
      '--latent-dim',
      '2',
      '--batch-size',
      '32',
      '--backend',
      'cpu',
      '--dataset',
      data,
      '--out',
      run,
    ];
    const epochs = 12;
    // kill at staggered moments after the first checkpoint exists: mid-epoch, mid-checkpoint, mid-picture
    const delays = [0, 23, 61, 117, 190];
    for (const [round, delay] of delays.entries()) {
      const child = start(
        round === 0
          ? ['train', ...flags, '--epochs', String(epochs)]
          : ['train', '--resume', '--out', run, '--epochs', String(epochs), '--backend', 'cpu'],
      );
      const exit = finished(child);
      const deadline = Date.now() + 60_000;
      const before = findLatestCheckpoint(run)?.info.epoch ?? 0;
      while ((findLatestCheckpoint(run)?.info.epoch ?? 0) <= before && Date.now() < deadline) await sleep(10);
      await sleep(delay);
      child.kill('SIGKILL');
      const { signal, stderr } = await exit;
      expect(signal, stderr).toBe('SIGKILL');
      const latest = findLatestCheckpoint(run);
      expect(latest, `round ${round}`).not.toBeNull();
      const vae = await loadVae(latest!.manifest, latest!.io);
      vae.dispose();
      const slots = loadNamedTensors(latest!.location, 'optimizer');
      expect(slots.length).toBeGreaterThan(1);
      for (const slot of slots) slot.tensor.dispose();
      expect(existsSync(join(latest!.location, 'checkpoint.json'))).toBe(true);
    }
    const last = finished(start(['train', '--resume', '--out', run, '--epochs', String(epochs), '--backend', 'cpu']));
    const { code, stderr } = await last;
    expect(code, stderr).toBe(0);
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    expect(findLatestCheckpoint(run)?.info.epoch).toBe(epochs);
  }, 300_000);
});
