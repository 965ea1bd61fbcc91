import * as tf from '@tensorflow/tfjs-core';
import { downloadButton } from '../download';
import { modelInputs } from '../image-shape';
import { emptyState, testImagesMissing } from '../notices';
import { drawImages, el, labelled, numberInput, pictureCanvas } from '../ui';
import { figure, labelText, type ViewContext } from './context';

const STEPS = 10;

/**
 * Two test images, their posterior means z_a and z_b, and decode((1 − t)·z_a + t·z_b) for the slider's t; under it
 * the whole path in 10 steps (`vae.interpolate`).
 */
export function mountInterpolation(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const { testSet, models } = context;
  const vae = models.vae;
  if (!testSet) return void testImagesMissing(body);
  if (!vae) return void emptyState(body, 'vae', 'vae' in models.errors);
  const inputA = numberInput('interp-a', 'first image', 3, 0, testSet.size - 1);
  const inputB = numberInput('interp-b', 'second image', 2, 0, testSet.size - 1);
  const slider = el('input', {
    id: 'interp-t',
    type: 'range',
    min: 0,
    max: 1,
    step: 0.05,
    value: 0.5,
    'aria-label': 't',
  });
  const tText = el('output', { id: 'interp-t-value', text: '0.50' });
  const imageA = pictureCanvas('interp-image-a', 5, 'first image');
  const imageB = pictureCanvas('interp-image-b', 5, 'second image');
  const middle = pictureCanvas('interp-mid', 6, 'decoded at t');
  const strip = pictureCanvas('interp-strip', 3, 'path');
  const captionA = el('figcaption');
  const captionB = el('figcaption');
  const conditional = vae.config.kind === 'cvae';
  // Posterior means of the two images, [2, latentDim], kept between slider moves (disposed when replaced).
  let means: tf.Tensor2D | null = null;
  let labelsAB: [number, number] = [0, 0];

  const decodeAt = async () => {
    if (!means) return;
    const t = Number(slider.value);
    tText.textContent = t.toFixed(2);
    const pair = means;
    const z = tf.tidy(() => {
      const [a, b] = tf.split(pair, 2) as [tf.Tensor2D, tf.Tensor2D];
      return tf.add(tf.mul(a, 1 - t), tf.mul(b, t)) as tf.Tensor2D;
    });
    try {
      await drawImages(middle, vae.decode(z, conditional ? labelsAB[t < 0.5 ? 0 : 1] : undefined), 1);
      middle.dataset.t = String(t);
    } finally {
      z.dispose();
    }
  };
  const encodePair = async () => {
    const a = Math.round(Number(inputA.value));
    const b = Math.round(Number(inputB.value));
    if (![a, b].every((index) => Number.isInteger(index) && index >= 0 && index < testSet.size)) return;
    labelsAB = [testSet.labels[a] as number, testSet.labels[b] as number];
    captionA.textContent = labelText(testSet, a);
    captionB.textContent = labelText(testSet, b);
    const x = modelInputs(testSet, [a, b], vae.config.inputShape);
    const labels = conditional ? tf.tensor1d(labelsAB, 'int32') : undefined;
    try {
      const { mean, logVar } = vae.encode(x, labels);
      logVar?.dispose();
      means?.dispose();
      means = mean;
      const [xa, xb] = tf.split(x, 2) as [tf.Tensor4D, tf.Tensor4D];
      await Promise.all([
        drawImages(imageA, xa, 1),
        drawImages(imageB, xb, 1),
        drawImages(
          strip,
          tf.tidy(() =>
            vae.interpolate(tf.slice(x, 0, 1), tf.slice(x, 1, 1), STEPS, conditional ? { labels: labelsAB } : {}),
          ),
          STEPS,
          1,
        ),
        decodeAt(),
      ]);
    } finally {
      tf.dispose([x, labels ?? []]);
    }
  };
  slider.addEventListener('input', () => void decodeAt().catch(context.report));
  inputA.addEventListener('change', () => void encodePair().catch(context.report));
  inputB.addEventListener('change', () => void encodePair().catch(context.report));
  body.append(
    el('div', { class: 'controls' }, [
      labelled('first image', inputA),
      labelled('second image', inputB),
      labelled('t', slider),
      tText,
    ]),
    el('div', { class: 'row' }, [
      el('figure', {}, [imageA, captionA]),
      figure(middle, 'decode((1 − t)·z_a + t·z_b)'),
      el('figure', {}, [imageB, captionB]),
    ]),
    figure(strip, `the path from a to b in ${STEPS} steps`, downloadButton(strip, 'vaejs-interpolation')),
  );
  return encodePair();
}
