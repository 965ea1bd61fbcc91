import type { DemoModels } from '../models';
import { tileImages } from '../pixels';
import type { TestSet } from '../test-set';
import { el, labelled, numberInput, putPicture } from '../ui';

/** What every view gets. */
export interface ViewContext {
  models: DemoModels;
  /** null when the test-image file failed to load (see `testSetError`). */
  testSet: TestSet | null;
  testSetError: string | null;
  /** Shows an error in the page's error area (for failures after the page has loaded). */
  report(error: unknown): void;
}

const THUMBNAILS = 40;
const PER_ROW = 20;
const GAP = 2;

/**
 * A strip of the first test images to click, and a number input for any index. `onPick(index)` runs on a click or
 * an input change. The canvas maps a click at CSS (x, y) to a thumbnail with `data-scale`.
 */
export function imagePicker(
  id: string,
  set: TestSet,
  initial: number,
  onPick: (index: number) => void,
): { element: HTMLElement; input: HTMLInputElement; select(index: number): void } {
  const [h, w, c] = set.imageShape;
  const count = Math.min(THUMBNAILS, set.size);
  const pixels = h * w * c;
  const values = new Float32Array(count * pixels);
  for (let i = 0; i < values.length; i++) values[i] = (set.images[i] as number) / 255;
  const scale = 1.5;
  const canvas = el('canvas', { id: `${id}-thumbnails`, class: 'picture thumbnails', 'data-scale': scale });
  putPicture(canvas, tileImages(values, [count, h, w, c], PER_ROW, GAP));
  const input = numberInput(`${id}-index`, 'test image index', initial, 0, set.size - 1);
  const select = (index: number) => {
    input.value = String(index);
    onPick(index);
  };
  canvas.addEventListener('click', (event) => {
    const column = Math.floor(event.offsetX / scale / (w + GAP));
    const row = Math.floor(event.offsetY / scale / (h + GAP));
    const index = row * PER_ROW + column;
    if (column < PER_ROW && index < count) select(index);
  });
  input.addEventListener('change', () => {
    const index = Math.round(Number(input.value));
    if (Number.isInteger(index) && index >= 0 && index < set.size) onPick(index);
  });
  const element = el('div', { class: 'picker' }, [
    canvas,
    labelled(`test image (0–${set.size - 1}; click one above)`, input),
  ]);
  return { element, input, select };
}

/** A picture with a caption under it. */
export function figure(canvas: HTMLElement, caption: string): HTMLElement {
  return el('figure', {}, [canvas, el('figcaption', { text: caption })]);
}

/** The label of test image `index`, as text. */
export function labelText(set: TestSet, index: number): string {
  return `#${index}, label ${set.labels[index]}`;
}
