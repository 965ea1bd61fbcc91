// A pad to draw a digit on with a mouse, a pen or a finger (pointer events; `touch-action: none` keeps the page from
// scrolling under the finger). It reads back as a 28×28 MNIST-style digit (digit-input.ts).
import { centreByMass, DIGIT_SIZE, inkBox, scaledInkSize } from './digit-input';
import { el } from './ui';

/** The pad's drawing resolution (CSS scales it to its container); a stroke is PEN pixels wide, as MNIST's pens are. */
const PAD_SIZE = 280;
const PEN = 22;

export interface DrawPad {
  canvas: HTMLCanvasElement;
  clear(): void;
  /** Paints a 28×28 grey digit (values in [0, 1]) across the pad, as a starting picture. */
  paint(digit: ArrayLike<number>): void;
  /** The drawing as a 28×28 digit (float32, row-major, in [0, 1]), or null when the pad is empty. */
  digit(): Float32Array | null;
}

/** A draw pad; `onStroke` runs after each stroke (pointer up), and while drawing at most once a frame. */
export function createDrawPad(id: string, onStroke: () => void): DrawPad {
  const canvas = el('canvas', {
    id,
    class: 'draw-pad',
    width: PAD_SIZE,
    height: PAD_SIZE,
    role: 'img',
    'aria-label': 'drawing pad: draw a digit with the mouse or a finger',
  });
  const context2d = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const clear = () => {
    context2d.fillStyle = '#000';
    context2d.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
  };
  clear();
  let last: [number, number] | null = null;
  let pending = false;
  const at = (event: PointerEvent): [number, number] => {
    const rect = canvas.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) * PAD_SIZE) / rect.width,
      ((event.clientY - rect.top) * PAD_SIZE) / rect.height,
    ];
  };
  const line = (from: [number, number], to: [number, number]) => {
    context2d.strokeStyle = '#fff';
    context2d.lineWidth = PEN;
    context2d.lineCap = 'round';
    context2d.lineJoin = 'round';
    context2d.beginPath();
    context2d.moveTo(...from);
    context2d.lineTo(...to);
    context2d.stroke();
  };
  canvas.addEventListener('pointerdown', (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    line(last, last);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!last) return;
    const next = at(event);
    line(last, next);
    last = next;
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (last) onStroke();
    });
  });
  const end = () => {
    if (!last) return;
    last = null;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  return {
    canvas,
    clear,
    paint(digit) {
      const small = el('canvas', { width: DIGIT_SIZE, height: DIGIT_SIZE });
      const bytes = new Uint8ClampedArray(DIGIT_SIZE * DIGIT_SIZE * 4);
      for (let i = 0; i < DIGIT_SIZE * DIGIT_SIZE; i++) {
        bytes.fill(Math.round((digit[i] as number) * 255), 4 * i, 4 * i + 3);
        bytes[4 * i + 3] = 255;
      }
      (small.getContext('2d') as CanvasRenderingContext2D).putImageData(new ImageData(bytes, DIGIT_SIZE), 0, 0);
      context2d.imageSmoothingEnabled = true;
      context2d.drawImage(small, 0, 0, PAD_SIZE, PAD_SIZE);
    },
    digit: () => readDigit(canvas, context2d),
  };
}

// helpers

/** The pad's ink, its bounding box scaled to 20×20 by the browser's resampling, centred by mass in 28×28. */
function readDigit(pad: HTMLCanvasElement, padContext: CanvasRenderingContext2D): Float32Array | null {
  const greys = redChannel(padContext.getImageData(0, 0, pad.width, pad.height).data);
  const box = inkBox(greys, pad.width, pad.height);
  if (!box) return null;
  const size = scaledInkSize(box);
  const small = el('canvas', { width: size.width, height: size.height });
  const smallContext = small.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  smallContext.imageSmoothingEnabled = true;
  smallContext.imageSmoothingQuality = 'high';
  smallContext.drawImage(pad, box.left, box.top, box.width, box.height, 0, 0, size.width, size.height);
  const ink = redChannel(smallContext.getImageData(0, 0, size.width, size.height).data).map((value) => value / 255);
  return centreByMass(ink, size.width, size.height);
}

function redChannel(rgba: Uint8ClampedArray): Float32Array {
  const values = new Float32Array(rgba.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = rgba[4 * i] as number;
  return values;
}
