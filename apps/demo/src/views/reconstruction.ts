import * as tf from '@tensorflow/tfjs-core';
import { testImages } from '../test-set';
import { drawImages, el, message, pictureCanvas } from '../ui';
import { figure, imagePicker, labelText, type ViewContext } from './context';

/** Pick a test image; see it, its VAE reconstruction (from the posterior mean) and its VQ-VAE reconstruction. */
export function mountReconstruction(body: HTMLElement, context: ViewContext): void {
  const { testSet, models } = context;
  if (!testSet) return void message(body, `needs the test images: ${context.testSetError}`, true);
  if (!models.vae && !models.vqvae) {
    return void message(
      body,
      `needs a VAE or a VQ-VAE: ${models.errors.vae ?? models.errors.vqvae ?? 'none configured'}`,
      true,
    );
  }
  const original = pictureCanvas('recon-original', 6, 'test image');
  const fromVae = pictureCanvas('recon-vae', 6, 'VAE reconstruction');
  const fromVqVae = pictureCanvas('recon-vqvae', 6, 'VQ-VAE reconstruction');
  const caption = el('span', { id: 'recon-caption' });
  const code = el('p', { id: 'recon-code', class: 'note' });
  const figures = el('div', { class: 'row' }, [figure(original, 'test image')]);
  if (models.vae) figures.append(figure(fromVae, 'VAE: decode(mean of q(z|x))'));
  if (models.vqvae) figures.append(figure(fromVqVae, 'VQ-VAE: decode(nearest codes)'));

  let version = 0;
  const show = async (index: number) => {
    const mine = ++version;
    caption.textContent = labelText(testSet, index);
    const x = testImages(testSet, [index]);
    try {
      const drawing: Promise<void>[] = [drawImages(original, x.clone(), 1)];
      if (models.vae) {
        const labels =
          models.vae.config.kind === 'cvae' ? tf.tensor1d([testSet.labels[index] as number], 'int32') : undefined;
        const { mean, logVar } = models.vae.encode(x, labels);
        const z = Array.from(await mean.data()).map((value) => value.toFixed(2));
        code.textContent = `VAE code (mean): [${z.slice(0, 8).join(', ')}${z.length > 8 ? ', …' : ''}]`;
        drawing.push(drawImages(fromVae, models.vae.reconstruct(x, { labels }), 1));
        tf.dispose([mean, logVar ?? [], labels ?? []]);
      }
      if (models.vqvae) drawing.push(drawImages(fromVqVae, models.vqvae.reconstruct(x), 1));
      await Promise.all(drawing);
    } finally {
      x.dispose();
    }
    if (mine === version) body.dataset.shown = String(index);
  };
  const picker = imagePicker('recon', testSet, 3, (index) => void show(index).catch(context.report));
  body.append(picker.element, el('p', {}, ['Showing ', caption]), figures, code);
  void show(3).catch(context.report);
}
