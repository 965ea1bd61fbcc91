import * as tf from '@tensorflow/tfjs-core';
import { modelInputs } from '../image-shape';
import { emptyState, testImagesMissing } from '../notices';
import { codeColour, codeInk } from '../pixels';
import { drawImages, el, pictureCanvas } from '../ui';
import { figure, imagePicker, labelText, type ViewContext } from './context';

/**
 * The VQ-VAE's code map of a test image as a grid of cells; click a cell, choose a code from the palette, and the
 * edited map is decoded at once.
 */
export function mountCodeMap(body: HTMLElement, context: ViewContext): Promise<void> | undefined {
  const { testSet, models } = context;
  const vqvae = models.vqvae;
  if (!testSet) return void testImagesMissing(body);
  if (!vqvae) return void emptyState(body, 'vqvae', 'vqvae' in models.errors);
  const [height, width] = vqvae.latentShape;
  const numCodes = vqvae.config.codebookSize;
  const original = pictureCanvas('codemap-original', 6, 'test image');
  const decoded = pictureCanvas('codemap-decoded', 6, 'decoded code map');
  const caption = el('figcaption', { id: 'codemap-caption' });
  const grid = el('div', {
    id: 'codemap-grid',
    class: 'code-grid',
    style: `grid-template-columns: repeat(${width}, var(--tap))`,
  });
  const palette = el('div', { id: 'codemap-palette', class: 'palette', hidden: true });
  const status = el('p', { id: 'codemap-status', class: 'note', text: 'Click a cell to change its code.' });
  const reset = el('button', { id: 'codemap-reset', type: 'button', text: 'Reset edits' });
  let codes = new Int32Array(height * width);
  let encoded = new Int32Array(height * width);
  let selected: number | null = null;

  const cells = Array.from({ length: height * width }, (_, position) => {
    const cell = el('button', {
      type: 'button',
      class: 'code-cell',
      'data-row': Math.floor(position / width),
      'data-col': position % width,
    });
    cell.addEventListener('click', () => {
      selected = position;
      cells.forEach((other, i) => {
        other.classList.toggle('selected', i === position);
      });
      palette.hidden = false;
      status.textContent = `cell (${Math.floor(position / width)}, ${position % width}) holds code ${codes[position]}: choose a new one.`;
    });
    return cell;
  });
  grid.append(...cells);
  for (let code = 0; code < numCodes; code++) {
    const choice = el('button', {
      type: 'button',
      class: 'code-choice',
      'data-code': code,
      text: code,
      style: `background:${codeColour(code, numCodes)};color:${codeInk(code, numCodes)}`,
      'aria-label': `code ${code}`,
    });
    choice.addEventListener('click', () => {
      if (selected === null) return;
      codes[selected] = code;
      palette.hidden = true;
      void decode().catch(context.report);
    });
    palette.append(choice);
  }

  const paintCells = () => {
    cells.forEach((cell, position) => {
      const code = codes[position] as number;
      cell.textContent = String(code);
      cell.style.background = codeColour(code, numCodes);
      cell.style.color = codeInk(code, numCodes);
      cell.classList.toggle('edited', code !== encoded[position]);
    });
    grid.dataset.codes = JSON.stringify(Array.from(codes));
  };
  // residual VQ: a code per level; the grid shows and edits the first level, the others stay as encoded
  let levels: Int32Array | null = null;
  const codeMap = () => {
    if (levels === null) return tf.tensor3d(codes, [1, height, width], 'int32');
    const count = levels.length / codes.length;
    const all = Int32Array.from(levels);
    codes.forEach((code, position) => {
      all[position * count] = code;
    });
    return tf.tensor4d(all, [1, height, width, count], 'int32');
  };
  const decode = async () => {
    paintCells();
    const map = codeMap();
    try {
      await drawImages(decoded, vqvae.decode(map), 1);
    } finally {
      map.dispose();
    }
    const edits = codes.reduce((count, code, i) => count + (code !== encoded[i] ? 1 : 0), 0);
    decoded.dataset.edits = String(edits);
    if (selected !== null) status.textContent = `${edits} cell(s) edited; decoded.`;
  };
  const show = async (index: number) => {
    caption.textContent = labelText(testSet, index);
    const x = modelInputs(testSet, [index], vqvae.config.inputShape);
    const map = vqvae.encode(x);
    try {
      const values = Int32Array.from(await map.data());
      const count = map.rank === 4 ? ((map.shape as number[])[3] as number) : 1;
      levels = map.rank === 4 ? values : null;
      encoded = count === 1 ? values : values.filter((_, i) => i % count === 0);
      codes = Int32Array.from(encoded);
      selected = null;
      palette.hidden = true;
      for (const cell of cells) cell.classList.remove('selected');
      await Promise.all([drawImages(original, x.clone(), 1), decode()]);
      body.dataset.shown = String(index);
    } finally {
      tf.dispose([x, map]);
    }
  };
  reset.addEventListener('click', () => {
    codes = Int32Array.from(encoded);
    void decode().catch(context.report);
  });
  const picker = imagePicker('codemap', testSet, 3, (index) => void show(index).catch(context.report), body);
  body.append(
    picker.element,
    el('div', { class: 'row' }, [
      el('figure', {}, [original, caption]),
      el('figure', {}, [grid, el('figcaption', { text: `code map ${height}×${width}, codes 0…${numCodes - 1}` })]),
      figure(decoded, 'decoded'),
    ]),
    palette,
    el('div', { class: 'controls' }, [reset]),
    status,
  );
  return show(3);
}
