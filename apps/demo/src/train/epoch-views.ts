/** What each epoch adds to the training view: a row of its figures, and its pictures. */
import type { PreviewPicture } from '@vaejs/training';
import { tileImages } from '../pixels';
import { el, message, pictureCanvas, putPicture } from '../ui';
import { drawBars } from './charts';

export function epochsHeader(): HTMLElement {
  return el(
    'tr',
    {},
    ['epoch', 'train loss', 'test loss', 'images/s', 'seconds'].map((text) => el('th', { text })),
  );
}

export function addEpochRow(table: HTMLElement, record: Record<string, number | string>): void {
  if (table.childElementCount === 0) table.append(epochsHeader());
  const cell = (value: unknown, digits = 2) =>
    el('td', { text: typeof value === 'number' ? value.toFixed(digits) : String(value ?? '') });
  table.append(
    el('tr', { 'data-epoch': String(record.epoch) }, [
      cell(record.epoch, 0),
      cell(record.train_loss, 3),
      cell(record.test_loss, 3),
      cell(record.images_per_sec, 0),
      cell(record.seconds, 1),
    ]),
  );
}

/** The pictures of an epoch: reconstructions of fixed test images, samples from fixed noise, the manifold, code use. */
export function drawPictures(container: HTMLElement, epoch: number, pictures: Record<string, PreviewPicture>): void {
  const captions: Record<string, string> = {
    reconstructions: 'test images (rows 1, 3, …) and their reconstructions',
    samples: 'samples, from the same noise every epoch',
    'latent-grid': 'the 2-D latent manifold',
    'codebook-usage': 'how often each code is used',
  };
  for (const [name, picture] of Object.entries(pictures)) {
    const id = `train-picture-${name}`;
    let canvas = container.querySelector<HTMLCanvasElement>(`#${id}`);
    if (!canvas) {
      canvas =
        'images' in picture
          ? pictureCanvas(id, picture.scale, captions[name] ?? name)
          : el('canvas', { id, class: 'chart', width: 300, height: 130 });
      container.append(el('figure', {}, [canvas, el('figcaption', { text: captions[name] ?? name })]));
    }
    if ('images' in picture) putPicture(canvas, tileImages(picture.images, picture.shape, picture.columns, 1));
    else drawBars(canvas, picture.counts, `epoch ${epoch}`);
    canvas.dataset.epoch = String(epoch);
  }
  if (Object.keys(pictures).length === 0) message(container, `epoch ${epoch}: no pictures for this model`);
}
