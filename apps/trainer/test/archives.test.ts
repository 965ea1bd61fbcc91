// A run folder in one zip archive (what the demo page downloads): eval and sample read it where it is, and
// `train --resume --out run.zip` unpacks it beside itself and continues there, ending as an uninterrupted run does.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeZip } from '@vaejs/training';
import { beforeAll, describe, expect, it } from 'vitest';
import { temporaryDir, writeTinyIdxDataset } from './fixtures';
import { runCli } from './run-cli';

const MLP = [
  '--model',
  'vae',
  '--arch',
  'mlp',
  '--hidden',
  '32',
  '--latent-dim',
  '2',
  '--batch-size',
  '16',
  '--lr',
  '0.01',
  '--backend',
  'cpu',
];

/** A folder's files as a zip archive, written next to it as `<name>.zip`. */
function zipFolder(dir: string, archive: string): string {
  const files = new Map<string, Uint8Array>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.png') && name !== '.lock')
        files.set(relative(dir, path).split('\\').join('/'), readFileSync(path));
    }
  };
  walk(dir);
  writeFileSync(archive, writeZip(files));
  return archive;
}

const testLoss = (run: string) =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).test_loss as number);

describe('run folders in a zip archive', () => {
  let data: string;
  let run: string;
  let archive: string;

  beforeAll(async () => {
    data = writeTinyIdxDataset(join(temporaryDir(), 'tiny'));
    run = join(temporaryDir(), 'run');
    expect((await runCli(['train', ...MLP, '--dataset', data, '--epochs', '1', '--out', run])).code).toBe(0);
    archive = zipFolder(run, join(temporaryDir(), 'run.zip'));
  });

  it('eval and sample read the archive as they read the folder', async () => {
    const fromFolder = JSON.parse(
      (await runCli(['eval', '--run', run, '--backend', 'cpu', '--dataset', data, '--json'])).stdout,
    );
    const fromArchive = await runCli(['eval', '--run', archive, '--backend', 'cpu', '--dataset', data, '--json']);
    expect(fromArchive.code, fromArchive.stderr).toBe(0);
    const report = JSON.parse(fromArchive.stdout);
    expect(report.loss).toBe(fromFolder.loss);
    expect(report.checkpoint).toBe(`${archive}/checkpoints/epoch-0001/`);
    const png = join(temporaryDir(), 'samples.png');
    expect((await runCli(['sample', '--run', archive, '-n', '4', '--out', png, '--backend', 'cpu'])).code).toBe(0);
    expect(existsSync(png)).toBe(true);
  });

  it('train --resume --out run.zip continues in run/ and ends as the uninterrupted run', async () => {
    const straight = join(temporaryDir(), 'straight');
    expect((await runCli(['train', ...MLP, '--dataset', data, '--epochs', '2', '--out', straight])).code).toBe(0);
    const resumed = await runCli(['train', '--resume', '--epochs', '2', '--out', archive, '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const unpacked = archive.replace(/\.zip$/, '');
    expect(resumed.stderr).toContain(`unpacked ${archive} into ${unpacked} (`);
    expect(testLoss(unpacked)).toEqual(testLoss(straight));
    const again = await runCli(['train', '--resume', '--epochs', '3', '--out', archive, '--backend', 'cpu']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      `vaejs train: expected --out ${archive} to unpack into ${unpacked}, got a ${unpacked} that exists already: give --out ${unpacked} to resume it, or move it away.`,
    );
  });

  it('an archive whose paths leave the folder, or that is not a zip, is one line', async () => {
    const evil = join(temporaryDir(), 'evil.zip');
    writeFileSync(evil, writeZip(new Map([['../config.json', new Uint8Array(2)]])));
    const result = await runCli(['eval', '--run', evil, '--backend', 'cpu']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^checkpoint: expected .*evil\.zip path a relative path inside the folder .*got '\.\.\/config\.json'\.$/,
    );
    const broken = join(temporaryDir(), 'broken.zip');
    writeFileSync(broken, 'not a zip');
    const notZip = await runCli(['sample', '--run', broken, '--backend', 'cpu']);
    expect(notZip.stderr.trim()).toMatch(
      /^readZip: expected .*broken\.zip a zip archive, got no end of central directory in 9 bytes\.$/,
    );
  });
});
