import * as tf from '@tensorflow/tfjs-core';
import { downloadButton } from '../download';
import { emptyState } from '../notices';
import { drawImages, el, pictureCanvas, slider } from '../ui';
import { figure, type ViewContext } from './context';

const COUNT = 16;

/** 16 images decoded from z ~ N(0, I) drawn with a seed: the same seed gives the same picture. */
export function mountSamples(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const vae = context.models.vae;
  if (!vae) return void emptyState(body, 'vae', 'vae' in context.models.errors);
  const seedControl = slider('samples-seed', 'seed', 1, 0, 999);
  const seed = seedControl.querySelector('input') as HTMLInputElement;
  const button = el('button', { id: 'samples-button', type: 'button', class: 'primary', text: 'Sample' });
  const next = el('button', { id: 'samples-next', type: 'button', text: 'Next seed' });
  const grid = pictureCanvas('samples-grid', 4, 'samples from the prior');
  let version = 0;
  const draw = async () => {
    const mine = ++version;
    const value = Math.round(Number(seed.value));
    const labels =
      vae.config.kind === 'cvae'
        ? tf.tensor1d(
            Array.from({ length: COUNT }, (_, i) => i % vae.config.numClasses),
            'int32',
          )
        : undefined;
    try {
      await drawImages(grid, vae.generate(COUNT, { seed: value, labels }), 4, 1);
      if (mine === version) grid.dataset.seed = String(value);
    } finally {
      labels?.dispose();
    }
  };
  button.addEventListener('click', () => void draw().catch(context.report));
  seed.addEventListener('input', () => void draw().catch(context.report));
  next.addEventListener('click', () => {
    seed.value = String((Math.round(Number(seed.value)) + 1) % 1000);
    seed.dispatchEvent(new Event('input'));
  });
  body.append(
    el('div', { class: 'controls' }, [seedControl, button, next]),
    figure(grid, `${COUNT} samples, z ~ N(0, I) with this seed`, downloadButton(grid, 'vaejs-samples')),
  );
  return draw();
}
