// The 2-D latent plane as a scatter: the posterior means of the test images coloured by label, the extent of the
// decoded grid dashed, and a marked point (a clicked or a drawn digit's code). The manifold and the draw views share
// it. Colours follow the page's theme (read from its CSS variables when drawn).
import * as tf from '@tensorflow/tfjs-core';
import type { Vae } from '@vaejs/vae';
import { modelInputs } from './image-shape';
import { PALETTE } from './pixels';
import type { TestSet } from './test-set';
import { el } from './ui';

export const SCATTER_SIZE = 360;

/** Latent value in [−range, range] → canvas coordinate in [0, SCATTER_SIZE]. */
export function toCanvas(value: number, range: number): number {
  return ((value + range) / (2 * range)) * SCATTER_SIZE;
}

/** Canvas coordinate → latent value (the inverse of {@link toCanvas}). */
export function fromCanvas(position: number, range: number): number {
  return (position / SCATTER_SIZE) * 2 * range - range;
}

export interface LatentScatter {
  canvas: HTMLCanvasElement;
  legend: HTMLElement;
  /** Encodes the test images and plots their means (the plot's range follows them). */
  plot(): Promise<void>;
  /** Marks z (a ring) over the plot; null clears the mark. */
  mark(z: readonly [number, number] | null): void;
  /** The latent point under a pointer event on the canvas. */
  latentAt(event: MouseEvent): [number, number];
  /** Half the plot's side, in latent units. */
  range(): number;
}

/** A scatter of the test set's codes under a 2-D VAE (`latentDim` 2). */
export function createLatentScatter(id: string, vae: Vae, testSet: TestSet | null, label: string): LatentScatter {
  const canvas = el('canvas', {
    id,
    width: SCATTER_SIZE,
    height: SCATTER_SIZE,
    class: 'scatter',
    role: 'img',
    'aria-label': label,
  });
  const legend = el(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    PALETTE.map((colour, digit) => el('span', {}, [el('i', { style: `background:${colour}` }), String(digit)])),
  );
  let range = 4;
  let codes: Float32Array = new Float32Array(0);
  let marked: readonly [number, number] | null = null;

  const paint = () => {
    const context2d = canvas.getContext('2d') as CanvasRenderingContext2D;
    const style = getComputedStyle(document.documentElement);
    const colour = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    context2d.fillStyle = colour('--surface', '#fff');
    context2d.fillRect(0, 0, SCATTER_SIZE, SCATTER_SIZE);
    paintAxes(context2d, range, colour('--border', '#ccc'), colour('--muted', '#999'));
    for (let i = 0; i < codes.length / 2; i++) {
      context2d.fillStyle = PALETTE[(testSet?.labels[i] ?? 0) % PALETTE.length] as string;
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
    if (marked) paintMark(context2d, marked, range, colour('--text', '#000'));
  };
  return {
    canvas,
    legend,
    async plot() {
      if (testSet) codes = await encodeMeans(vae, testSet);
      range = Math.max(3, Math.ceil(Math.max(0, ...Array.from(codes, Math.abs))));
      canvas.dataset.range = String(range);
      paint();
      canvas.dataset.points = String(codes.length / 2);
    },
    mark(z) {
      marked = z;
      paint();
    },
    latentAt(event) {
      const scale = canvas.getBoundingClientRect().width / SCATTER_SIZE;
      return [fromCanvas(event.offsetX / scale, range), -fromCanvas(event.offsetY / scale, range)];
    },
    range: () => range,
  };
}

// helpers

/** Posterior means of every test image, float32 [size·2]. */
async function encodeMeans(vae: Vae, testSet: TestSet): Promise<Float32Array> {
  const indices = Array.from({ length: testSet.size }, (_, i) => i);
  const x = modelInputs(testSet, indices, vae.config.inputShape);
  const labels = vae.config.kind === 'cvae' ? tf.tensor1d(Array.from(testSet.labels), 'int32') : undefined;
  const { mean, logVar } = vae.encode(x, labels);
  tf.dispose([x, logVar ?? [], labels ?? []]);
  try {
    return (await mean.data()) as Float32Array;
  } finally {
    mean.dispose();
  }
}

/** The axes, and the grid's extent: Φ⁻¹(0.05) … Φ⁻¹(0.95) = ±1.645, dashed. */
function paintAxes(context2d: CanvasRenderingContext2D, range: number, axis: string, extent: string): void {
  context2d.strokeStyle = axis;
  context2d.lineWidth = 1;
  context2d.beginPath();
  context2d.moveTo(SCATTER_SIZE / 2, 0);
  context2d.lineTo(SCATTER_SIZE / 2, SCATTER_SIZE);
  context2d.moveTo(0, SCATTER_SIZE / 2);
  context2d.lineTo(SCATTER_SIZE, SCATTER_SIZE / 2);
  context2d.stroke();
  const edge = toCanvas(-1.645, range);
  context2d.strokeStyle = extent;
  context2d.setLineDash([4, 4]);
  context2d.strokeRect(edge, edge, toCanvas(1.645, range) - edge, toCanvas(1.645, range) - edge);
  context2d.setLineDash([]);
}

function paintMark(
  context2d: CanvasRenderingContext2D,
  z: readonly [number, number],
  range: number,
  ink: string,
): void {
  context2d.strokeStyle = ink;
  context2d.lineWidth = 2.5;
  context2d.beginPath();
  context2d.arc(toCanvas(z[0], range), toCanvas(-z[1], range), 8, 0, 2 * Math.PI);
  context2d.stroke();
  context2d.lineWidth = 1;
}
