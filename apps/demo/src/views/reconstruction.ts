import * as tf from '@tensorflow/tfjs-core';
import { modelInputs } from '../image-shape';
import { emptyState, testImagesMissing } from '../notices';
import { testImages } from '../test-set';
import { drawImages, el, pictureCanvas } from '../ui';
import { figure, imagePicker, labelText, type ViewContext } from './context';

/** Pick a test image; see it, its VAE reconstruction (from the posterior mean) and its VQ-VAE reconstruction. */
export function mountReconstruction(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const { testSet, models } = context;
  if (!testSet) return void testImagesMissing(body);
  const { vae, vqvae } = models;
  if (!vae && !vqvae) return void emptyState(body, 'vae', 'vae' in models.errors);
  const original = pictureCanvas('recon-original', 6, 'test image');
  const fromVae = pictureCanvas('recon-vae', 6, 'VAE reconstruction');
  const fromVqVae = pictureCanvas('recon-vqvae', 6, 'VQ-VAE reconstruction');
  const caption = el('span', { id: 'recon-caption' });
  const code = el('p', { id: 'recon-code', class: 'note' });
  const figures = el('div', { class: 'row' }, [figure(original, 'test image')]);
  if (vae) figures.append(figure(fromVae, 'VAE: decode(mean of q(z|x))'));
  if (vqvae) figures.append(figure(fromVqVae, 'VQ-VAE: decode(nearest codes)'));

  let version = 0;
  const show = async (index: number) => {
    const mine = ++version;
    caption.textContent = labelText(testSet, index);
    const drawing: Promise<void>[] = [drawImages(original, testImages(testSet, [index]), 1)];
    if (vae) {
      const x = modelInputs(testSet, [index], vae.config.inputShape);
      const labels = vae.config.kind === 'cvae' ? tf.tensor1d([testSet.labels[index] as number], 'int32') : undefined;
      try {
        const { mean, logVar } = vae.encode(x, labels);
        const z = Array.from(await mean.data()).map((value) => value.toFixed(2));
        code.textContent = `VAE code (mean): [${z.slice(0, 8).join(', ')}${z.length > 8 ? ', …' : ''}]`;
        drawing.push(drawImages(fromVae, vae.reconstruct(x, { labels }), 1));
        tf.dispose([mean, logVar ?? []]);
      } finally {
        tf.dispose([x, labels ?? []]);
      }
    }
    if (vqvae) {
      const x = modelInputs(testSet, [index], vqvae.config.inputShape);
      drawing.push(drawImages(fromVqVae, vqvae.reconstruct(x), 1));
      x.dispose();
    }
    await Promise.all(drawing);
    if (mine === version) body.dataset.shown = String(index);
  };
  const picker = imagePicker('recon', testSet, 3, (index) => void show(index).catch(context.report), body);
  body.append(picker.element, el('p', {}, ['Showing ', caption]), figures, code);
  return show(3);
}
