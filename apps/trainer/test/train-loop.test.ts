import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runTrainingLoop } from '../src/commands/train-loop';
import type { EpochData, TrainableModel } from '../src/models/types';
import { temporaryDir } from './fixtures';

/** A one-weight model: loss = (w − x)², enough for the loop's steps, sums, test pass and checkpoints. */
function tinyModel(onStep: () => void, onPictures: (epoch: number) => void): TrainableModel {
  const w = tf.variable(tf.scalar(0), true, 'w');
  const loss = (x: tf.Tensor) => tf.mean(tf.square(tf.sub(w, x))) as tf.Scalar;
  return {
    kind: 'vae',
    partNames: ['loss'],
    trainStep(optimizer, batch) {
      onStep();
      return { loss: optimizer.minimize(() => loss(batch.x), true, [w]) as tf.Scalar };
    },
    lossParts: (batch) => ({ loss: tf.tidy(() => loss(batch.x)) }),
    writePictures: (_dir, epoch) => onPictures(epoch),
    save: async () => {},
    dispose: () => w.dispose(),
  };
}

function constantData(numBatches: number): EpochData {
  return { numBatches, batchSize: 4, size: numBatches * 4, batch: () => ({ x: tf.fill([4, 1], 1) }) };
}

describe('runTrainingLoop', () => {
  it('lets the event loop run while it trains: callbacks queued with process.nextTick run within the epoch', async () => {
    // pngjs and Node streams free their buffers from process.nextTick callbacks; a loop that never yields keeps
    // every one of them queued, and the process grows by the pictures of each epoch (about 3 MB per epoch on MNIST).
    let queued = 0;
    let ran = 0;
    const ranAtPictures: number[] = [];
    const model = tinyModel(
      () => {
        queued++;
        process.nextTick(() => {
          ran++;
        });
      },
      () => ranAtPictures.push(ran),
    );
    try {
      const history = await runTrainingLoop({
        command: 'test',
        runDir: join(temporaryDir(), 'run'),
        model,
        epochs: 2,
        learningRate: 0.1,
        seed: 0,
        backend: tf.getBackend(),
        trainData: () => constantData(30),
        testData: () => constantData(2),
        logEvery: 10,
        quiet: true,
      });
      expect(history.map((record) => record.epoch)).toEqual([1, 2]);
      expect(history[1]!.train_loss).toBeLessThan(history[0]!.train_loss);
      expect(queued).toBe(60);
      // by the end of each epoch's steps, every tick queued during them has run
      expect(ranAtPictures).toEqual([30, 60]);
    } finally {
      model.dispose();
    }
  });
});
