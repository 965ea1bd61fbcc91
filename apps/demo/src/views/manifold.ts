import * as tf from '@tensorflow/tfjs-core';
import { PALETTE } from '../pixels';
import { testImages } from '../test-set';
import { drawImages, el, labelled, message, numberInput, pictureCanvas } from '../ui';
import { figure, type ViewContext } from './context';

const SCATTER_SIZE = 360;

/**
 * For a VAE with a 2-D latent space: the decoded grid over Φ⁻¹ of evenly spaced quantiles (`vae.latentGrid`), the
 * posterior means of the test images coloured by label, and the image decoded at a clicked point of the scatter.
 */
export function mountManifold(body: HTMLElement, context: ViewContext): void {
  const { models, testSet } = context;
  const vae = models.vae;
  if (!vae) return void message(body, `needs a VAE: ${models.errors.vae ?? 'none configured'}`, true);
  if (vae.config.latentDim !== 2) {
    return void message(
      body,
      `needs a VAE with a 2-D latent space; this one has latentDim ${vae.config.latentDim}.`,
      true,
    );
  }
  const size = numberInput('manifold-size', 'grid size', 20, 2, 40);
  const grid = pictureCanvas('manifold-grid', 1, 'latent manifold');
  const scatter = el('canvas', { id: 'manifold-scatter', width: SCATTER_SIZE, height: SCATTER_SIZE, class: 'scatter' });
  const point = pictureCanvas('manifold-point', 5, 'decoded at the clicked point');
  const pointText = el('p', { id: 'manifold-point-z', class: 'note', text: 'Click the scatter to decode a point.' });
  const timing = el('p', { id: 'manifold-timing', class: 'note' });
  const legend = el(
    'div',
    { class: 'legend' },
    PALETTE.map((colour, label) => el('span', {}, [el('i', { style: `background:${colour}` }), String(label)])),
  );
  let range = 4;

  const drawGrid = async () => {
    const n = Math.round(Number(size.value));
    if (!(n >= 2 && n <= 40)) return;
    const start = performance.now();
    const images = vae.latentGrid(n);
    await drawImages(grid, images, n);
    timing.textContent = `${n}×${n} grid decoded in ${(performance.now() - start).toFixed(1)} ms (with the read-back).`;
    grid.dataset.size = String(n);
  };
  const drawScatter = async () => {
    if (!testSet) return;
    const indices = Array.from({ length: testSet.size }, (_, i) => i);
    const x = testImages(testSet, indices);
    const labels = vae.config.kind === 'cvae' ? tf.tensor1d(Array.from(testSet.labels), 'int32') : undefined;
    const { mean, logVar } = vae.encode(x, labels);
    tf.dispose([x, logVar ?? [], labels ?? []]);
    const codes = await mean.data();
    mean.dispose();
    range = Math.max(3, Math.ceil(Math.max(...Array.from(codes, Math.abs))));
    scatter.dataset.range = String(range);
    const context2d = scatter.getContext('2d') as CanvasRenderingContext2D;
    context2d.fillStyle = '#fff';
    context2d.fillRect(0, 0, SCATTER_SIZE, SCATTER_SIZE);
    context2d.strokeStyle = '#ccc';
    context2d.beginPath();
    context2d.moveTo(SCATTER_SIZE / 2, 0);
    context2d.lineTo(SCATTER_SIZE / 2, SCATTER_SIZE);
    context2d.moveTo(0, SCATTER_SIZE / 2);
    context2d.lineTo(SCATTER_SIZE, SCATTER_SIZE / 2);
    context2d.stroke();
    // The grid's extent: Φ⁻¹(0.05) … Φ⁻¹(0.95) = ±1.645.
    const edge = toCanvas(-1.645, range);
    context2d.strokeStyle = '#999';
    context2d.setLineDash([4, 4]);
    context2d.strokeRect(edge, edge, toCanvas(1.645, range) - edge, toCanvas(1.645, range) - edge);
    context2d.setLineDash([]);
    for (let i = 0; i < testSet.size; i++) {
      context2d.fillStyle = PALETTE[(testSet.labels[i] as number) % PALETTE.length] as string;
      context2d.beginPath();
      context2d.arc(
        toCanvas(codes[2 * i] as number, range),
        toCanvas(-(codes[2 * i + 1] as number), range),
        2.5,
        0,
        2 * Math.PI,
      );
      context2d.fill();
    }
    scatter.dataset.points = String(testSet.size);
  };
  const decodePoint = async (z0: number, z1: number) => {
    const z = tf.tensor2d([[z0, z1]]);
    try {
      await drawImages(point, vae.decode(z, vae.config.kind === 'cvae' ? 0 : undefined), 1);
    } finally {
      z.dispose();
    }
    pointText.textContent = `z = [${z0.toFixed(3)}, ${z1.toFixed(3)}]`;
    point.dataset.z = JSON.stringify([z0, z1]);
  };
  scatter.addEventListener('click', (event) => {
    const scale = scatter.getBoundingClientRect().width / SCATTER_SIZE;
    const z0 = fromCanvas(event.offsetX / scale, range);
    const z1 = -fromCanvas(event.offsetY / scale, range);
    void decodePoint(z0, z1).catch(context.report);
  });
  size.addEventListener('change', () => void drawGrid().catch(context.report));
  body.append(
    el('div', { class: 'controls' }, [labelled('grid size', size)]),
    el('div', { class: 'row' }, [
      figure(grid, 'decoded grid: z₀ left → right, z₁ bottom → top, quantiles 0.05 … 0.95 of N(0, 1)'),
      el('figure', {}, [
        scatter,
        el('figcaption', {
          text: testSet
            ? `means of ${testSet.size} test images, by label (dashed: the grid's extent)`
            : (context.testSetError ?? ''),
        }),
        legend,
      ]),
      figure(point, 'decoded at the clicked point'),
    ]),
    pointText,
    timing,
  );
  void drawGrid().catch(context.report);
  void drawScatter().catch(context.report);
}

/** Latent value in [−range, range] → canvas coordinate in [0, SCATTER_SIZE]. */
export function toCanvas(value: number, range: number): number {
  return ((value + range) / (2 * range)) * SCATTER_SIZE;
}

/** Canvas coordinate → latent value (the inverse of {@link toCanvas}). */
export function fromCanvas(position: number, range: number): number {
  return (position / SCATTER_SIZE) * 2 * range - range;
}
