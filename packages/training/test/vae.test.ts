// fit over a real model package: the VAE family trains, checkpoints and resumes bit for bit through the contract.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createVae, loadVae, type VaeConfig } from '@vaejs/vae';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyDataset } from '../src/__fixtures__/tiny-model';
import { findLatestCheckpoint, fit } from '../src/index.node';

const dir = mkdtempSync(join(tmpdir(), 'vaejs-fit-vae-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = { train: tinyDataset(48, 1, 'tiny-train'), test: tinyDataset(16, 2, 'tiny-test') };
const config: VaeConfig = { inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: 8, seed: 1 };
const options = { verbose: 0 as const, batchSize: 16, seed: 2 };

function weightsOf(run: string, part: string): Buffer {
  return readFileSync(join(findLatestCheckpoint(run)!.location, part, 'weights.bin'));
}

describe('fit with @vaejs/vae', () => {
  it('trains a VAE, writes its pictures, and a resumed run ends bit-identical to an uninterrupted one', async () => {
    const before = tf.memory().numTensors;
    const straight = createVae(config);
    const history = await fit(straight, data, { ...options, epochs: 3, runDir: join(dir, 'straight') });
    expect(history.records[0]).toMatchObject({
      recon: expect.any(Number),
      kl: expect.any(Number),
      test_kl: expect.any(Number),
    });
    expect((history.records[2]?.recon as number) + (history.records[2]?.kl as number)).toBeCloseTo(
      history.records[2]?.train_loss as number,
      3,
    );
    straight.dispose();
    const first = createVae(config);
    await fit(first, data, { ...options, epochs: 1, runDir: join(dir, 'resumed') });
    first.dispose();
    const second = createVae({ ...config, seed: 7 });
    await fit(second, data, { ...options, epochs: 3, runDir: join(dir, 'resumed'), resume: true });
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const part of ['encoder', 'decoder']) {
      expect(weightsOf(join(dir, 'resumed'), part).equals(weightsOf(join(dir, 'straight'), part)), part).toBe(true);
    }
    // the checkpoint is the model package's own format: loadVae reads it back
    const stored = findLatestCheckpoint(join(dir, 'resumed'))!;
    const loaded = await loadVae(stored.manifest, stored.io);
    expect(loaded.config.latentDim).toBe(2);
    loaded.dispose();
    for (const picture of ['reconstructions.png', 'samples.png', 'latent-grid.png', 'loss.png']) {
      expect(readFileSync(join(dir, 'straight', picture)).length, picture).toBeGreaterThan(100);
    }
  });

  it('refuses to resume a run into a model of another config, naming the field', async () => {
    const other = createVae({ ...config, hidden: 6 });
    await expect(
      fit(other, data, { ...options, epochs: 4, runDir: join(dir, 'straight'), resume: true }),
    ).rejects.toThrow(/hidden/);
    other.dispose();
  });
});
