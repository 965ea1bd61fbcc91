import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type Preview, ShapeError } from '@vaejs/core';
import { expectNoLeak } from '@vaejs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureImages } from './__fixtures__/images';
import type { VaeConfig } from './config';
import { createVae, type Vae } from './vae';

const created: Vae[] = [];
function make(config: VaeConfig): Vae {
  const vae = createVae(config);
  created.push(vae);
  return vae;
}
afterAll(() => {
  for (const vae of created) vae.dispose();
});

const imagesOf = (preview: Preview | undefined) => {
  if (!preview || !('images' in preview)) throw new Error('expected an image preview');
  return preview.images;
};
const disposeAll = (previews: Record<string, Preview>) => {
  for (const preview of Object.values(previews)) if ('images' in preview) preview.images.dispose();
};
describe('vae.previews', () => {
  it('draws reconstructions (originals then reconstructions, rows of 8), 64 samples and the 2-D manifold', async () => {
    const vae = make({ inputShape: [6, 5, 1], latentDim: 2, arch: 'mlp', hidden: [8] });
    const x = fixtureImages(16, [6, 5, 1], 3);
    const previews = await vae.previews({ x }, { seed: 4, epoch: 1 });
    expect(Object.keys(previews).sort()).toEqual(['latent-grid', 'reconstructions', 'samples']);
    const grid = imagesOf(previews.reconstructions);
    expect(grid.shape).toEqual([32, 6, 5, 1]);
    expect(previews.reconstructions).toMatchObject({ columns: 8 });
    const reconstruction = vae.reconstruct(x);
    const slice = (t: tf.Tensor, start: number, size = 8) =>
      tf.tidy(() => Array.from(tf.slice(t, start, size).dataSync()));
    expect(slice(grid, 0)).toEqual(slice(x, 0));
    expect(slice(grid, 8)).toEqual(slice(reconstruction, 0));
    expect(slice(grid, 16)).toEqual(slice(x, 8));
    expect(slice(grid, 24)).toEqual(slice(reconstruction, 8));
    const samples = imagesOf(previews.samples);
    expect(samples.shape).toEqual([64, 6, 5, 1]);
    expect(previews.samples).toMatchObject({ columns: 8 });
    const generated = vae.generate(64, { seed: 4 });
    expect(Array.from(samples.dataSync())).toEqual(Array.from(generated.dataSync()));
    const manifold = imagesOf(previews['latent-grid']);
    expect(manifold.shape).toEqual([400, 6, 5, 1]);
    expect(previews['latent-grid']).toMatchObject({ columns: 20 });
    const again = await vae.previews({ x }, { seed: 4, epoch: 2 });
    expect(Array.from(imagesOf(again.samples).dataSync()), 'seeded').toEqual(Array.from(samples.dataSync()));
    tf.dispose([x, reconstruction, generated]);
    disposeAll(previews);
    disposeAll(again);
  });

  it('shows originals, corrupted inputs and reconstructions for a denoising AE, padding a partial row', async () => {
    const vae = make({ inputShape: [4, 4, 1], latentDim: 2, kind: 'dae', arch: 'mlp', hidden: [8] });
    const target = fixtureImages(11, [4, 4, 1], 5);
    const x = tf.tidy(() => tf.clipByValue(tf.add(target, tf.randomNormal(target.shape, 0, 0.3, 'float32', 6)), 0, 1));
    const previews = await vae.previews({ x, target }, { seed: 1, epoch: 1 });
    expect(Object.keys(previews), 'no samples from an AE').toEqual(['reconstructions']);
    const grid = imagesOf(previews.reconstructions);
    expect(grid.shape).toEqual([48, 4, 4, 1]);
    const reconstruction = vae.reconstruct(x);
    const slice = (t: tf.Tensor, start: number, size: number) =>
      tf.tidy(() => Array.from(tf.slice(t, start, size).dataSync()));
    expect(slice(grid, 0, 8)).toEqual(slice(target, 0, 8));
    expect(slice(grid, 8, 8)).toEqual(slice(x, 0, 8));
    expect(slice(grid, 16, 8)).toEqual(slice(reconstruction, 0, 8));
    expect(slice(grid, 24, 3)).toEqual(slice(target, 8, 3));
    expect(
      slice(grid, 27, 5).every((v) => v === 0),
      'padding',
    ).toBe(true);
    expect(slice(grid, 32, 3)).toEqual(slice(x, 8, 3));
    expect(slice(grid, 40, 3)).toEqual(slice(reconstruction, 8, 3));
    tf.dispose([x, target, reconstruction]);
    disposeAll(previews);
  });

  it('draws a conditional VAE sample row by row, class r mod numClasses for row r', async () => {
    const vae = make({ inputShape: [4, 4, 1], latentDim: 3, kind: 'cvae', numClasses: 3, arch: 'mlp', hidden: [8] });
    const x = fixtureImages(8, [4, 4, 1], 2);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    const previews = await vae.previews({ x, labels }, { seed: 9, epoch: 1 });
    expect(Object.keys(previews).sort(), 'no manifold for latentDim 3').toEqual(['reconstructions', 'samples']);
    const rowClasses = tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => Math.floor(i / 8) % 3),
      'int32',
    );
    const expected = vae.generate(64, { seed: 9, labels: rowClasses });
    expect(Array.from(imagesOf(previews.samples).dataSync())).toEqual(Array.from(expected.dataSync()));
    const reconstruction = vae.reconstruct(x, { labels });
    const second = tf.tidy(() => Array.from(tf.slice(imagesOf(previews.reconstructions), 8, 8).dataSync()));
    expect(second).toEqual(Array.from(reconstruction.dataSync()));
    tf.dispose([x, labels, rowClasses, expected, reconstruction]);
    disposeAll(previews);
  });

  it('leaks nothing and rejects bad samples', async () => {
    const vae = make({ inputShape: [4, 4, 1], latentDim: 2, arch: 'mlp', hidden: [4] });
    const x = fixtureImages(5, [4, 4, 1], 2);
    await expectNoLeak(() => vae.previews({ x }, { seed: 0, epoch: 0 }));
    const wrong = fixtureImages(5, [4, 4, 3], 2);
    await expect(vae.previews({ x: wrong }, { seed: 0, epoch: 0 })).rejects.toThrow(ShapeError);
    await expect(vae.previews({ x: wrong }, { seed: 0, epoch: 0 })).rejects.toThrow(
      /^vae\.previews: expected sample\.x shape \[\?,4,4,1\] \(config\.inputShape\), got shape \[5,4,4,3\]\.$/,
    );
    await expect(vae.previews(null as never, { seed: 0, epoch: 0 })).rejects.toThrow(ConfigError);
    const cvae = make({ inputShape: [4, 4, 1], latentDim: 2, kind: 'cvae', numClasses: 2, arch: 'mlp', hidden: [4] });
    const before = tf.memory().numTensors;
    await expect(cvae.previews({ x }, { seed: 0, epoch: 0 })).rejects.toThrow(/expected labels int32 \[5\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, wrong]);
  });
});
