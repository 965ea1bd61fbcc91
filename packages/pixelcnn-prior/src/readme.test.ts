// Runs the README snippets (copied verbatim; the last test checks that every line of every README snippet still
// appears here, so the two cannot drift apart).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '@vaejs/testing';
import { describe, expect, it } from 'vitest';
import { createPixelCnn, loadPixelCnn, savePixelCnn } from './index';

describe('README snippets', () => {
  it('train, evaluate, sample; then conditioning, save and load', async () => {
    await expectNoLeak(async () => {
      const prior = createPixelCnn({ numCategories: 16, height: 7, width: 7, channels: 16, layers: 3 });
      const codes = tf.tidy(() =>
        tf.cast(tf.floor(tf.randomUniform([8, 7, 7], 0, 16, 'float32', 1)), 'int32'),
      ) as tf.Tensor3D;
      const logits = prior.logits(codes); // [8, 7, 7, 16]: position (r, c) sees only positions before it (raster order)

      const optimizer = tf.train.adam(1e-3);
      const { loss, bitsPerDim } = prior.trainStep(optimizer, { x: codes }); // scalars: nats per position, loss / ln 2
      const test = await prior.evaluate(codes, { batchSize: 4 }); // { loss, bitsPerDim } as numbers, over all maps

      const sampled = await prior.sample(4, { seed: 1, temperature: 1 }); // int32 [4, 7, 7], same seed → same maps
      const greedy = await prior.sample(4, { temperature: 0 }); // argmax at every position

      expect(logits.shape).toEqual([8, 7, 7, 16]);
      expect(loss.dataSync()[0]! / bitsPerDim.dataSync()[0]!).toBeCloseTo(Math.LN2, 6);
      expect(test.loss).toBeLessThan(loss.dataSync()[0]!); // one step of Adam on the same maps
      expect(sampled.shape).toEqual([4, 7, 7]);
      expect(greedy.dtype).toBe('int32');
      tf.dispose([codes, logits, loss, bitsPerDim, sampled, greedy]);
      optimizer.dispose();
      prior.dispose();

      const conditioned = createPixelCnn({ ...prior.config, numClasses: 10 }); // 16 categories, 7×7, 10 classes
      const calls: number[] = [];
      const digits = await conditioned.sample(2, {
        seed: 7,
        labels: [3, 8], // or tf.tensor1d([3, 8], 'int32'), or 3 for every map
        onPosition: (row, col, partial) => {
          // partial: live Int32Array [2, 7, 7] of the maps so far; draw it, copy it to keep it
          calls.push(row * 7 + col + partial.length - 98);
        },
      });
      expect(calls).toEqual(Array.from({ length: 49 }, (_, i) => i));
      const digitValues = Array.from(digits.dataSync());
      digits.dispose();

      const stored = new Map<string, tf.io.ModelArtifacts>();
      const manifest = await savePixelCnn(conditioned, (part) =>
        tf.io.withSaveHandler(async (artifacts) => {
          stored.set(part, artifacts);
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      manifest.format; // 'vaejs-pixelcnn'
      const restored = await loadPixelCnn(manifest, (part) => tf.io.fromMemory(stored.get(part)!));
      restored.config.numClasses; // 10

      expect(manifest.format).toBe('vaejs-pixelcnn');
      expect(restored.config.numClasses).toBe(10);
      const again = await restored.sample(2, { seed: 7, labels: [3, 8] });
      expect(Array.from(again.dataSync())).toEqual(digitValues);
      again.dispose();
      conditioned.dispose();
      restored.dispose();
    });
  });
});

describe('README', () => {
  it('has every line of every snippet in this file', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const self = readFileSync(new URL('./readme.test.ts', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks.length).toBe(3);
    const lines = blocks.flatMap((block) => block.split('\n').map((line) => line.trim()));
    const missing = lines.filter((line) => line !== '' && !line.startsWith('import ') && !self.includes(line));
    expect(missing).toEqual([]);
  });
});
