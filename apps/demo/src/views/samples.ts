import * as tf from '@tensorflow/tfjs-core';
import { drawImages, el, labelled, message, numberInput, pictureCanvas } from '../ui';
import type { ViewContext } from './context';

/** 16 images decoded from z ~ N(0, I) drawn with a seed: the same seed gives the same picture. */
export function mountSamples(body: HTMLElement, context: ViewContext): void {
  const vae = context.models.vae;
  if (!vae) return void message(body, `needs a VAE: ${context.models.errors.vae ?? 'none configured'}`, true);
  const seed = numberInput('samples-seed', 'seed', 1, 0, 2 ** 31 - 1);
  const button = el('button', { id: 'samples-button', type: 'button', text: 'Sample' });
  const next = el('button', { id: 'samples-next', type: 'button', text: 'Next seed' });
  const grid = pictureCanvas('samples-grid', 3, 'samples from the prior');
  const draw = async () => {
    const value = Math.round(Number(seed.value));
    const labels =
      vae.config.kind === 'cvae'
        ? tf.tensor1d(
            Array.from({ length: 16 }, (_, i) => i % vae.config.numClasses),
            'int32',
          )
        : undefined;
    try {
      await drawImages(grid, vae.generate(16, { seed: value, labels }), 4, 1);
      grid.dataset.seed = String(value);
    } finally {
      labels?.dispose();
    }
  };
  button.addEventListener('click', () => void draw().catch(context.report));
  seed.addEventListener('change', () => void draw().catch(context.report));
  next.addEventListener('click', () => {
    seed.value = String(Math.round(Number(seed.value)) + 1);
    void draw().catch(context.report);
  });
  body.append(el('div', { class: 'controls' }, [labelled('seed', seed), button, next]), grid);
  void draw().catch(context.report);
}
