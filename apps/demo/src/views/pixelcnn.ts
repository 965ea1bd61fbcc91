import type * as tf from '@tensorflow/tfjs-core';
import { createTwoStageSampler } from '@vaejs/pixelcnn-prior';
import { downloadButton } from '../download';
import { emptyState } from '../notices';
import { codeColour } from '../pixels';
import { testImages } from '../test-set';
import { drawImages, el, labelled, message, nextFrame, numberInput, pictureCanvas, slider } from '../ui';
import { figure, type ViewContext } from './context';

/**
 * Ancestral sampling from the PixelCNN prior, position by position in raster order: after each position the page
 * paints the code maps so far and (with a matching VQ-VAE) their decoded images, so generation is seen happening.
 */
export function mountPixelCnn(body: HTMLElement, context: ViewContext): void {
  const { models } = context;
  const prior = models.pixelcnn;
  if (!prior) return void emptyState(body, 'pixelcnn', 'pixelcnn' in models.errors);
  // the VQ-VAE decodes the prior's maps only when they have its code-map size and codebook (a mismatch is this
  // view's own failure, shown here once; a VQ-VAE that did not load is already in the page's error list)
  const sampler = models.vqvae ? createTwoStageSampler(prior, models.vqvae) : null;
  const mismatch = sampler ? sampler.mismatch && `pixelcnn: ${sampler.mismatch}` : 'no VQ-VAE loaded';
  if (mismatch) message(body, `Samples are shown as code maps only: ${mismatch}`, sampler !== null);
  const { height, width, numCategories } = prior.config;
  const seedControl = slider('pixelcnn-seed', 'seed', 1, 0, 999);
  const temperatureControl = slider('pixelcnn-temperature', 'temperature', 1, 0, 2, 0.05);
  const topKControl = slider('pixelcnn-top-k', 'top-k (0: all codes)', 0, 0, numCategories);
  const [seed, temperature, topK] = [seedControl, temperatureControl, topKControl].map(
    (control) => control.querySelector('input') as HTMLInputElement,
  ) as [HTMLInputElement, HTMLInputElement, HTMLInputElement];
  const count = numberInput('pixelcnn-count', 'maps', 4, 1, 16);
  const conditional = prior.config.numClasses > 0;
  // a class-conditional prior draws the class chosen here, or cycles through the classes
  const classChoice = el('select', { id: 'pixelcnn-class', 'aria-label': 'class' }, [
    el('option', { value: 'cycle', text: 'every class in turn' }),
    ...Array.from({ length: prior.config.numClasses }, (_, label) =>
      el('option', { value: String(label), text: `class ${label}` }),
    ),
  ]);
  const button = el('button', { id: 'pixelcnn-button', type: 'button', class: 'primary', text: 'Sample' });
  const progress = el('p', { id: 'pixelcnn-progress', class: 'note', text: 'Press Sample.' });
  const maps = el('canvas', {
    id: 'pixelcnn-maps',
    class: 'picture',
    'data-scale': 10,
    role: 'img',
    'aria-label': 'sampled code maps',
  });
  const images = pictureCanvas('pixelcnn-images', 4, 'decoded samples');
  const real = pictureCanvas('pixelcnn-real', 4, 'real test digits');
  const results = el('div', { class: 'row', hidden: true }); // until the first sample
  let running = false;

  /** The first n test digits (of the class drawn, for a conditional prior), to hold the samples against. */
  const paintReal = async (n: number, labels: number[] | undefined) => {
    const set = context.testSet;
    if (!set) return;
    // for each sample, the first test digit not shown yet (of its class, for a conditional prior)
    const used = new Set<number>();
    const picked = Array.from({ length: n }, (_, i) => {
      for (let index = 0; index < set.size; index++) {
        if (used.has(index) || (labels && set.labels[index] !== labels[i])) continue;
        used.add(index);
        return index;
      }
      return -1;
    }).filter((index) => index >= 0);
    if (picked.length > 0) await drawImages(real, testImages(set, picked), picked.length, 1);
  };

  const paintMaps = (values: Int32Array, n: number, drawn: number) => {
    const gap = 1;
    maps.width = n * (width + gap) - gap;
    maps.height = height;
    const scale = Number(maps.dataset.scale);
    maps.style.width = `${maps.width * scale}px`;
    const context2d = maps.getContext('2d') as CanvasRenderingContext2D;
    context2d.fillStyle = '#000';
    context2d.fillRect(0, 0, maps.width, maps.height);
    for (let index = 0; index < n; index++) {
      for (let position = 0; position < height * width; position++) {
        context2d.fillStyle =
          position < drawn ? codeColour(values[index * height * width + position] as number, numCategories) : '#eee';
        context2d.fillRect(index * (width + gap) + (position % width), Math.floor(position / width), 1, 1);
      }
    }
  };
  const sample = async () => {
    if (running) return;
    running = true;
    results.hidden = false;
    button.disabled = true;
    const n = Math.round(Number(count.value));
    const seedValue = Math.round(Number(seed.value));
    const start = performance.now();
    let frames = 0;
    body.dataset.done = 'false';
    const k = Math.round(Number(topK.value));
    const labels = conditional
      ? Array.from({ length: n }, (_, i) =>
          classChoice.value === 'cycle' ? i % prior.config.numClasses : Number(classChoice.value),
        )
      : undefined;
    try {
      await paintReal(n, labels);
      const onPosition = async (row: number, col: number, partial: Int32Array, decode?: () => tf.Tensor4D) => {
        const drawn = row * width + col + 1;
        paintMaps(partial, n, drawn);
        if (decode) await drawImages(images, decode(), n, 1);
        frames++;
        body.dataset.frames = String(frames);
        progress.textContent = `position (${row}, ${col}): ${drawn} of ${height * width} drawn`;
        await nextFrame();
      };
      const options = {
        seed: seedValue,
        temperature: Number(temperature.value),
        ...(k > 0 ? { topK: k } : {}),
        labels,
      };
      // with a VQ-VAE that fits, the two stages (each position's maps decoded as they grow); else the maps alone
      const result =
        sampler && !mismatch
          ? await sampler.sample(n, { ...options, onPosition }).then(({ maps, images: decoded }) => {
              decoded.dispose();
              return maps;
            })
          : await prior.sample(n, { ...options, onPosition });
      const values = (await result.data()) as Int32Array;
      result.dispose();
      maps.dataset.maps = JSON.stringify(Array.from(values));
      progress.textContent = `${n} map(s) of ${height}×${width} sampled in ${((performance.now() - start) / 1000).toFixed(2)} s (seed ${seedValue}, painted after every position).`;
      body.dataset.done = 'true';
    } finally {
      running = false;
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void sample().catch(context.report));
  body.append(
    el('div', { class: 'controls' }, [
      seedControl,
      temperatureControl,
      topKControl,
      labelled('maps', count),
      ...(conditional ? [labelled('class', classChoice)] : []),
      button,
    ]),
    progress,
    results,
  );
  results.append(
    figure(maps, 'code maps (grey: not drawn yet)', downloadButton(maps, 'vaejs-pixelcnn-code-maps')),
    figure(images, 'decoded by the VQ-VAE', downloadButton(images, 'vaejs-pixelcnn-samples')),
    figure(real, conditional ? 'real test digits of the same classes' : 'real test digits, for comparison'),
  );
}
