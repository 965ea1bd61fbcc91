import * as tf from '@tensorflow/tfjs-core';
import { downloadButton } from '../download';
import { emptyState, notApplicable } from '../notices';
import { createLatentScatter } from '../scatter';
import { drawImages, el, labelled, numberInput, pictureCanvas } from '../ui';
import { figure, type ViewContext } from './context';

/** How far an arrow key moves the decoded point, in latent units. */
const KEY_STEP = 0.1;

/**
 * For a VAE with a 2-D latent space: the decoded grid over Φ⁻¹ of evenly spaced quantiles (`vae.latentGrid`), the
 * posterior means of the test images coloured by label, and the image decoded at a clicked point of the scatter
 * (or one moved with the arrow keys when the scatter has focus).
 */
export function mountManifold(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const { models, testSet } = context;
  const vae = models.vae;
  if (!vae) return void emptyState(body, 'vae', 'vae' in models.errors);
  if (vae.config.latentDim !== 2) {
    return void notApplicable(
      body,
      `This view draws a 2-D latent space; the loaded VAE has ${vae.config.latentDim} latent dimensions. Train one with --latent-dim 2 to see it.`,
    );
  }
  const size = numberInput('manifold-size', 'grid size', 20, 2, 40);
  const grid = pictureCanvas('manifold-grid', 1, 'latent manifold');
  const scatter = createLatentScatter(
    'manifold-scatter',
    vae,
    testSet,
    'test digits in the latent plane: click or use the arrow keys to decode a point',
  );
  scatter.canvas.tabIndex = 0;
  const point = pictureCanvas('manifold-point', 5, 'decoded at the clicked point');
  const pointText = el('p', {
    id: 'manifold-point-z',
    class: 'note',
    text: 'Click the plot (or focus it and use the arrow keys) to decode a point.',
  });
  const timing = el('p', { id: 'manifold-timing', class: 'note' });
  const pointFigure = figure(point, 'decoded at the chosen point');
  pointFigure.hidden = true; // until a point is chosen
  let z: [number, number] = [0, 0];

  const drawGrid = async () => {
    const n = Math.round(Number(size.value));
    if (!(n >= 2 && n <= 40)) return;
    const start = performance.now();
    await drawImages(grid, vae.latentGrid(n), n);
    timing.textContent = `${n}×${n} grid decoded in ${(performance.now() - start).toFixed(1)} ms (with the read-back).`;
    grid.dataset.size = String(n);
  };
  const decodePoint = async (at: [number, number]) => {
    z = at;
    scatter.mark(at);
    const latent = tf.tensor2d([at]);
    try {
      await drawImages(point, vae.decode(latent, vae.config.kind === 'cvae' ? 0 : undefined), 1);
    } finally {
      latent.dispose();
    }
    pointFigure.hidden = false;
    pointText.textContent = `z = [${at[0].toFixed(3)}, ${at[1].toFixed(3)}]`;
    point.dataset.z = JSON.stringify(at);
  };
  scatter.canvas.addEventListener('click', (event) => void decodePoint(scatter.latentAt(event)).catch(context.report));
  scatter.canvas.addEventListener('keydown', (event) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    void decodePoint([z[0] + move[0] * KEY_STEP, z[1] + move[1] * KEY_STEP]).catch(context.report);
  });
  size.addEventListener('change', () => void drawGrid().catch(context.report));
  const scatterCaption = testSet
    ? `means of ${testSet.size} test images, by label (dashed: the grid's extent)`
    : 'the test images did not load: no points to plot';
  body.append(
    el('div', { class: 'controls' }, [labelled('grid size', size)]),
    el('div', { class: 'row' }, [
      figure(
        grid,
        'decoded grid: z₀ left → right, z₁ bottom → top, quantiles 0.05 … 0.95 of N(0, 1)',
        downloadButton(grid, 'vaejs-manifold'),
      ),
      el('figure', {}, [scatter.canvas, el('figcaption', { text: scatterCaption }), scatter.legend]),
      pointFigure,
    ]),
    pointText,
    timing,
  );
  return Promise.all([drawGrid(), scatter.plot()]).then(() => undefined);
}
