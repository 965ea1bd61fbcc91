import * as tf from '@tensorflow/tfjs-core';
import { checkPriorFits } from '@vaejs/pixelcnn-prior';
import { codeColour } from '../pixels';
import { drawImages, el, labelled, message, nextFrame, numberInput, pictureCanvas } from '../ui';
import { figure, type ViewContext } from './context';

/**
 * Ancestral sampling from the PixelCNN prior, position by position in raster order: after each position the page
 * paints the code maps so far and (with a matching VQ-VAE) their decoded images, so generation is seen happening.
 */
export function mountPixelCnn(body: HTMLElement, context: ViewContext): void {
  const { models } = context;
  const prior = models.pixelcnn;
  if (!prior) return void message(body, `needs a PixelCNN prior: ${models.errors.pixelcnn ?? 'none configured'}`, true);
  const vqvae = models.vqvae;
  let mismatch: string | null = models.errors.vqvae ?? 'no VQ-VAE configured';
  if (vqvae) {
    // the VQ-VAE decodes the prior's maps only when they have its code-map size and codebook
    const [mapHeight, mapWidth] = vqvae.latentShape;
    const problem = checkPriorFits(prior, {
      numCategories: vqvae.config.codebookSize,
      height: mapHeight,
      width: mapWidth,
    });
    mismatch = problem === null ? null : `pixelcnn: ${problem}`;
  }
  if (mismatch) message(body, `samples are shown as code maps only: ${mismatch}`, true);
  const { height, width, numCategories } = prior.config;
  const seed = numberInput('pixelcnn-seed', 'seed', 1, 0, 2 ** 31 - 1);
  const count = numberInput('pixelcnn-count', 'maps', 4, 1, 16);
  const temperature = numberInput('pixelcnn-temperature', 'temperature', 1, 0, 3, 0.1);
  const button = el('button', { id: 'pixelcnn-button', type: 'button', text: 'Sample' });
  const progress = el('p', { id: 'pixelcnn-progress', class: 'note', text: 'Press Sample.' });
  const maps = el('canvas', { id: 'pixelcnn-maps', class: 'picture', 'data-scale': 10 });
  const images = pictureCanvas('pixelcnn-images', 4, 'decoded samples');
  const conditional = prior.config.numClasses > 0;
  let running = false;

  const paintMaps = (values: Int32Array, n: number, drawn: number) => {
    const gap = 1;
    maps.width = n * (width + gap) - gap;
    maps.height = height;
    const scale = Number(maps.dataset.scale);
    maps.style.width = `${maps.width * scale}px`;
    maps.style.height = `${maps.height * scale}px`;
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
    button.disabled = true;
    const n = Math.round(Number(count.value));
    const seedValue = Math.round(Number(seed.value));
    const start = performance.now();
    let frames = 0;
    body.dataset.done = 'false';
    try {
      const result = await prior.sample(n, {
        seed: seedValue,
        temperature: Number(temperature.value),
        labels: conditional ? Array.from({ length: n }, (_, i) => i % prior.config.numClasses) : undefined,
        onPosition: async (row, col, partial) => {
          const drawn = row * width + col + 1;
          paintMaps(partial, n, drawn);
          if (vqvae && !mismatch) {
            const map = tf.tensor3d(partial, [n, height, width], 'int32');
            try {
              await drawImages(images, vqvae.decode(map), n, 1);
            } finally {
              map.dispose();
            }
          }
          frames++;
          body.dataset.frames = String(frames);
          progress.textContent = `position (${row}, ${col}): ${drawn} of ${height * width} drawn`;
          await nextFrame();
        },
      });
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
      labelled('seed', seed),
      labelled('maps', count),
      labelled('temperature', temperature),
      button,
    ]),
    progress,
    el('div', { class: 'row' }, [
      figure(maps, 'code maps (grey: not drawn yet)'),
      figure(images, 'decoded by the VQ-VAE'),
    ]),
  );
}
