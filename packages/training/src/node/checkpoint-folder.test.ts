import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTinyModel, type TinyModel } from '../__fixtures__/tiny-model';
import { checkpointInfo, startPosition } from '../run-folder/resume';
import {
  findLatestCheckpoint,
  listCheckpoints,
  readCheckpointFolder,
  sweepCheckpoints,
  writeCheckpoint,
} from './checkpoint-folder';

let run: string;
let model: TinyModel;
const rng = { getState: () => ({ seed: 1, counter: 0 }) } as never;

async function write(epoch: number, keep = 5, batch = 0): Promise<string> {
  const position = { ...startPosition(), epoch, step: epoch * 10 + batch, batch };
  const info = checkpointInfo('tiny', position, rng, batch ? { sums: {}, seen: 0, seconds: 0 } : undefined);
  const optimizerState = [{ name: 'slot', tensor: tf.scalar(epoch) }];
  const folder = await writeCheckpoint(run, { info, saveModel: (io) => model.save(io), optimizerState }, keep);
  tf.dispose(optimizerState[0]?.tensor);
  return folder;
}

beforeAll(() => {
  run = mkdtempSync(join(tmpdir(), 'vaejs-checkpoints-'));
  model = createTinyModel();
});
afterAll(() => {
  model.dispose();
  rmSync(run, { recursive: true, force: true });
});

describe('the checkpoint folder', () => {
  it('writes checkpoints that read back whole, keeps the newest, and points latest.json at the last', async () => {
    await write(1);
    await write(2, 2, 3);
    const third = await write(3, 2);
    expect(third).toBe(join(run, 'checkpoints', 'epoch-0003'));
    expect(listCheckpoints(run).map((entry) => entry.name)).toEqual(['step-00000023', 'epoch-0003']);
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['epoch-0003', 'latest.json', 'step-00000023']);
    const latest = findLatestCheckpoint(run);
    expect([latest?.location, latest?.info.epoch, latest?.manifest.format]).toEqual([third, 3, 'vaejs-tiny']);
    const [slot] = latest?.readOptimizerState() ?? [];
    expect([slot?.name, slot?.tensor.dataSync()[0]]).toEqual(['slot', 3]);
    slot?.tensor.dispose();
  });

  it('falls back to the newest complete checkpoint when latest.json is missing or names a gone one', () => {
    writeFileSync(join(run, 'checkpoints', 'latest.json'), '{"checkpoint":"epoch-0009"}');
    expect(findLatestCheckpoint(run)?.info.epoch).toBe(3);
    writeFileSync(join(run, 'checkpoints', 'latest.json'), '{"checkp');
    expect(findLatestCheckpoint(run)?.info.epoch).toBe(3);
    writeFileSync(join(run, 'checkpoints', 'latest.json'), '{"checkpoint":"../elsewhere"}');
    expect(() => findLatestCheckpoint(run)).toThrow(/^checkpoint: expected .*latest\.json to name a checkpoint folder/);
    writeFileSync(join(run, 'checkpoints', 'latest.json'), '{"checkpoint":"epoch-0003"}');
  });

  it('refuses a manifest whose parts leave the folder, and a part name that does', () => {
    const folder = join(run, 'checkpoints', 'epoch-0003');
    const checkpoint = readCheckpointFolder(folder);
    expect(() => checkpoint.io('../weights')).toThrow(
      /^checkpoint: expected part a plain part name, got "\.\.\/weights"\.$/,
    );
    writeFileSync(join(folder, 'tiny.json'), JSON.stringify({ ...checkpoint.manifest, parts: ['/etc'] }));
    expect(() => readCheckpointFolder(folder)).toThrow(/^checkpoint: expected .*tiny\.json parts plain part names/);
  });

  it("removes what dead writers left, not a live writer's: half-written, half-deleted, orphaned checkpoints", () => {
    const root = join(run, 'checkpoints');
    const before = readdirSync(root)
      .filter((name) => !name.startsWith('.'))
      .sort();
    mkdirSync(join(root, `.tmp-epoch-0004-${2 ** 22 + 7}-1`));
    writeFileSync(join(root, `.latest-${2 ** 22 + 7}.json`), '{}');
    mkdirSync(join(root, `.deleting-step-00000002-${2 ** 22 + 7}-1`));
    mkdirSync(join(root, '.tmp-epoch-0004-1-1'));
    // what a writer of the last release left when killed deleting a checkpoint: the folder without checkpoint.json
    mkdirSync(join(root, 'step-00000005', 'encoder'), { recursive: true });
    writeFileSync(join(root, 'step-00000005', 'encoder', 'weights.bin'), Buffer.alloc(16));
    const lines: string[] = [];
    sweepCheckpoints(run, (line) => lines.push(line));
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual(['.tmp-epoch-0004-1-1']);
    expect(
      readdirSync(root)
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(before);
    expect(lines).toEqual([
      expect.stringMatching(/^fit: removing .*step-00000005, a checkpoint folder without its checkpoint\.json/),
    ]);
  });
});
