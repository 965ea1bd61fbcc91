import type { DemoModels } from '../models';
import { tileImages } from '../pixels';
import type { BackendChoice } from '../settings';
import type { TestSet } from '../test-set';
import { el, labelled, numberInput, putPicture } from '../ui';

/** What every view gets. */
export interface ViewContext {
  models: DemoModels;
  /** Resolves when every model has loaded or failed: the PixelCNN prior loads after the others, into `models`. */
  modelsLoaded: Promise<void>;
  /** null when the test-image file failed to load (see `testSetError`). */
  testSet: TestSet | null;
  testSetError: string | null;
  /** The backend the page runs on. */
  backend: BackendChoice;
  /** Shows an error in the page's error area (for failures after the page has loaded). */
  report(error: unknown): void;
}

const THUMBNAILS = 40;
const GAP = 2;
const SCALE = 1.5;

/**
 * A strip of the first test images to click, and a number input for any index. `onPick(index)` runs on a click or
 * an input change. The strip wraps to the width of `container` (20 a row on a laptop, fewer on a phone); a click is
 * mapped to a thumbnail through the canvas's drawn size, so CSS scaling does not move the targets.
 */
export function imagePicker(
  id: string,
  set: TestSet,
  initial: number,
  onPick: (index: number) => void,
  container: HTMLElement,
): { element: HTMLElement; input: HTMLInputElement; select(index: number): void } {
  const [h, w, c] = set.imageShape;
  const count = Math.min(THUMBNAILS, set.size);
  const pixels = h * w * c;
  const values = new Float32Array(count * pixels);
  for (let i = 0; i < values.length; i++) values[i] = (set.images[i] as number) / 255;
  const perRow = Math.max(5, Math.min(20, Math.floor((container.clientWidth || 900) / ((w + GAP) * SCALE))));
  const canvas = el('canvas', {
    id: `${id}-thumbnails`,
    class: 'picture thumbnails',
    'data-scale': SCALE,
    role: 'img',
    'aria-label': 'test images: click one to pick it',
  });
  putPicture(canvas, tileImages(values, [count, h, w, c], perRow, GAP));
  const input = numberInput(`${id}-index`, 'test image index', initial, 0, set.size - 1);
  const select = (index: number) => {
    input.value = String(index);
    onPick(index);
  };
  canvas.addEventListener('click', (event) => {
    const scale = canvas.getBoundingClientRect().width / canvas.width;
    const column = Math.floor(event.offsetX / scale / (w + GAP));
    const row = Math.floor(event.offsetY / scale / (h + GAP));
    const index = row * perRow + column;
    if (column < perRow && index < count) select(index);
  });
  input.addEventListener('change', () => {
    const index = Math.round(Number(input.value));
    if (Number.isInteger(index) && index >= 0 && index < set.size) onPick(index);
  });
  const element = el('div', { class: 'picker' }, [
    canvas,
    el('div', { class: 'controls' }, [labelled(`test image (0–${set.size - 1}, or click one above)`, input)]),
  ]);
  return { element, input, select };
}

/** A picture with a caption under it, and optional buttons (e.g. Download PNG) under that. */
export function figure(canvas: HTMLElement, caption: string, ...actions: HTMLElement[]): HTMLElement {
  return el('figure', {}, [canvas, el('figcaption', { text: caption }), ...actions]);
}

/** The label of test image `index`, as text. */
export function labelText(set: TestSet, index: number): string {
  return `#${index}, label ${set.labels[index]}`;
}
