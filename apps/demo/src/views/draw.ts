import * as tf from '@tensorflow/tfjs-core';
import { DIGIT_SIZE } from '../digit-input';
import { createDrawPad } from '../draw-pad';
import { fitImages } from '../image-shape';
import { emptyState } from '../notices';
import { createLatentScatter } from '../scatter';
import { drawImages, el, pictureCanvas } from '../ui';
import { figure, labelText, type ViewContext } from './context';

/**
 * Draw a digit: after each stroke it is prepared as MNIST's digits were (digit-input.ts), encoded by the VAE (its
 * posterior mean), decoded, and — for a 2-D latent space — marked among the test digits' codes; the VQ-VAE's
 * reconstruction beside it. It starts from a test digit so that the view shows something before the first stroke.
 */
export function mountDraw(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const { vae, vqvae } = context.models;
  if (!vae && !vqvae) return void emptyState(body, 'vae', 'vae' in context.models.errors);
  const seen = pictureCanvas('draw-input', 5, 'what the models see: your drawing as a 28×28 digit');
  const fromVae = pictureCanvas('draw-vae', 5, 'VAE reconstruction of your drawing');
  const fromVqVae = pictureCanvas('draw-vqvae', 5, 'VQ-VAE reconstruction of your drawing');
  const code = el('p', { id: 'draw-code', class: 'note', 'aria-live': 'polite' });
  const scatter =
    vae && vae.config.latentDim === 2
      ? createLatentScatter('draw-scatter', vae, context.testSet, 'where your drawing lands among the test digits')
      : null;
  let strokes = 0;
  let busy: Promise<void> = Promise.resolve();
  const encode = async () => {
    const digit = pad.digit();
    if (!digit) return;
    const input = tf.tensor4d(digit, [1, DIGIT_SIZE, DIGIT_SIZE, 1]);
    try {
      const drawing = [drawImages(seen, input.clone(), 1)];
      if (vae) drawing.push(encodeWithVae(input));
      if (vqvae) {
        const x = fitImages(input, vqvae.config.inputShape);
        drawing.push(drawImages(fromVqVae, vqvae.reconstruct(x), 1));
        x.dispose();
      }
      await Promise.all(drawing);
    } finally {
      input.dispose();
    }
    body.dataset.encoded = String(++strokes);
  };
  const encodeWithVae = async (input: tf.Tensor4D) => {
    if (!vae) return;
    const x = fitImages(input, vae.config.inputShape);
    const labels = vae.config.kind === 'cvae' ? tf.tensor1d([0], 'int32') : undefined;
    try {
      const { mean, logVar } = vae.encode(x, labels);
      const z = Array.from(await mean.data());
      tf.dispose([mean, logVar ?? []]);
      code.textContent = `code z = [${z
        .slice(0, 8)
        .map((value) => value.toFixed(2))
        .join(', ')}${z.length > 8 ? ', …' : ''}]`;
      scatter?.mark([z[0] as number, z[1] as number]);
      await drawImages(fromVae, vae.reconstruct(x, { labels }), 1);
    } finally {
      tf.dispose([x, labels ?? []]);
    }
  };
  // one encoding at a time, in order: strokes arrive faster than a slow backend decodes
  const queue = () => {
    busy = busy.then(encode).catch(context.report);
  };
  const pad = createDrawPad('draw-pad', queue);
  const clear = el('button', { id: 'draw-clear', type: 'button', text: 'Clear' });
  const example = el('button', { id: 'draw-example', type: 'button', text: 'Show a test digit' });
  let exampleIndex = 0;
  const showExample = () => {
    const set = context.testSet;
    if (!set) return;
    const pixels = DIGIT_SIZE * DIGIT_SIZE;
    const start = exampleIndex * pixels;
    pad.clear();
    pad.paint(Array.from(set.images.subarray(start, start + pixels), (value) => value / 255));
    code.textContent = `test digit ${labelText(set, exampleIndex)}`;
    exampleIndex = (exampleIndex + 1) % set.size;
    queue();
  };
  clear.addEventListener('click', () => {
    pad.clear();
    code.textContent = 'Draw a digit on the black square.';
  });
  example.addEventListener('click', showExample);
  const pictures = el('div', { class: 'row' }, [figure(seen, 'what the models see (28×28)')]);
  if (vae) pictures.append(figure(fromVae, 'VAE reconstruction'));
  if (vqvae) pictures.append(figure(fromVqVae, 'VQ-VAE reconstruction'));
  body.append(
    el('div', { class: 'row' }, [
      el('figure', {}, [pad.canvas, el('div', { class: 'controls' }, [clear, example])]),
      ...(scatter
        ? [
            el('figure', {}, [
              scatter.canvas,
              el('figcaption', { text: 'your drawing (ring) among the test digits, by label' }),
              scatter.legend,
            ]),
          ]
        : []),
    ]),
    pictures,
    code,
  );
  return (scatter?.plot() ?? Promise.resolve()).then(() => {
    if (context.testSet?.imageShape.join('×') === `${DIGIT_SIZE}×${DIGIT_SIZE}×1`) showExample();
    return busy;
  });
}
