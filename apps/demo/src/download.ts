// "Download PNG" for a picture on the page: the canvas's pixels scaled up without smoothing (a 28×28 digit would be a
// speck at its natural size), saved under a name that says what it is.
import { el } from './ui';

/** Pixels per image pixel in the downloaded file. */
const DOWNLOAD_SCALE = 4;

/** A button that saves `canvas` as `<name>.png`, each pixel a DOWNLOAD_SCALE-sized square. */
export function downloadButton(canvas: HTMLCanvasElement, name: string): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'download', 'data-download': name, text: 'Download PNG' });
  button.addEventListener('click', () => {
    const scaled = el('canvas', { width: canvas.width * DOWNLOAD_SCALE, height: canvas.height * DOWNLOAD_SCALE });
    const context = scaled.getContext('2d') as CanvasRenderingContext2D;
    context.imageSmoothingEnabled = false;
    context.drawImage(canvas, 0, 0, scaled.width, scaled.height);
    scaled.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      el('a', { href: url, download: `${name}.png` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, 'image/png');
  });
  return button;
}
