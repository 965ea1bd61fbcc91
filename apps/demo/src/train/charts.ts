/**
 * The training view's live pictures, drawn on the main thread from what the worker posts: one small chart per loss
 * part (each on its own scale: a VAE's reconstruction and KL, a VQ-VAE's codebook and commitment terms, perplexity and
 * use, a prior's nats and bits per dimension), the test loss of each epoch as points on the loss chart, and a bar
 * chart of code use. Redrawn at most once per animation frame.
 */
import { el } from '../ui';

const WIDTH = 300;
const HEIGHT = 130;
const PAD = { left: 44, right: 8, top: 18, bottom: 18 };

/** Charts of the loss parts of each step. */
export interface LossCharts {
  readonly element: HTMLElement;
  /** A step's parts (`loss`, `recon`, `kl`…). */
  add(step: number, losses: Record<string, number>): void;
  /** The test loss of an epoch, at its last step. */
  addTest(step: number, value: number): void;
  /** Empties the charts; `lossTitle` retitles the loss chart (another model). */
  clear(lossTitle?: string): void;
}

/** Names of the parts the charts show, in order, and how each is titled. */
const TITLES: Record<string, string> = {
  loss: 'loss (nats per image)',
  recon: 'reconstruction',
  kl: 'KL',
  reconstructionMse: 'reconstruction MSE per pixel',
  codebook: 'codebook loss',
  commitment: 'commitment loss',
  perplexity: 'code perplexity',
  usage: 'share of codes used',
  bitsPerDim: 'bits per dimension',
};
const HIDDEN = new Set(['restarted']);

export function createLossCharts(id: string, given: { lossTitle?: string } = {}): LossCharts {
  const options = { ...given };
  const element = el('div', { id, class: 'charts' });
  const series = new Map<string, { steps: number[]; values: number[]; canvas: HTMLCanvasElement }>();
  const tests: { step: number; value: number }[] = [];
  let scheduled = false;
  const redraw = () => {
    scheduled = false;
    for (const [name, data] of series)
      draw(data.canvas, titleOf(name, options), data.steps, data.values, name === 'loss' ? tests : []);
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(redraw);
    }
  };
  return {
    element,
    add(step, losses) {
      for (const [name, value] of Object.entries(losses)) {
        if (HIDDEN.has(name) || !Number.isFinite(value)) continue;
        let data = series.get(name);
        if (!data) {
          const canvas = el('canvas', {
            class: 'chart',
            width: WIDTH,
            height: HEIGHT,
            'data-part': name,
            'aria-label': titleOf(name, options),
          });
          data = { steps: [], values: [], canvas };
          series.set(name, data);
          element.append(canvas);
        }
        data.steps.push(step);
        data.values.push(value);
      }
      schedule();
    },
    addTest(step, value) {
      if (Number.isFinite(value)) tests.push({ step, value });
      schedule();
    },
    clear(lossTitle) {
      if (lossTitle) options.lossTitle = lossTitle;
      series.clear();
      tests.length = 0;
      element.replaceChildren();
    },
  };
}

/** Draws counts as bars (a codebook's use: how often each code occurs). */
export function drawBars(canvas: HTMLCanvasElement, counts: readonly number[], title: string): void {
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const max = Math.max(1, ...counts);
  const plotHeight = height - PAD.top - 6;
  const barWidth = (width - 8) / Math.max(1, counts.length);
  context.fillStyle = '#4e79a7';
  counts.forEach((count, index) => {
    const barHeight = (count / max) * plotHeight;
    context.fillRect(4 + index * barWidth, height - 4 - barHeight, Math.max(1, barWidth - 1), barHeight);
  });
  const used = counts.filter((count) => count > 0).length;
  context.fillStyle = '#333';
  context.font = '12px system-ui, sans-serif';
  context.fillText(`${title}: ${used} of ${counts.length} codes used`, 4, 13);
  canvas.dataset.used = String(used);
}

// helpers

function titleOf(name: string, options: { lossTitle?: string }): string {
  return name === 'loss' && options.lossTitle ? options.lossTitle : (TITLES[name] ?? name);
}

function draw(
  canvas: HTMLCanvasElement,
  title: string,
  steps: number[],
  values: number[],
  tests: { step: number; value: number }[],
): void {
  const context = canvas.getContext('2d') as CanvasRenderingContext2D;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const all = [...values, ...tests.map((test) => test.value)];
  // the first steps' losses dwarf the rest: the scale covers the last 90 % of the points
  const tail = all.slice(Math.floor(all.length * 0.1));
  let low = Math.min(...tail);
  let high = Math.max(...tail);
  if (!(high > low)) [low, high] = [low - 1, high + 1];
  const first = steps[0] ?? 0;
  const last = Math.max(first + 1, steps.at(-1) ?? 1, ...tests.map((test) => test.step));
  const x = (step: number) => PAD.left + ((step - first) / (last - first)) * (width - PAD.left - PAD.right);
  const y = (value: number) =>
    PAD.top + (1 - (Math.min(Math.max(value, low), high) - low) / (high - low)) * (height - PAD.top - PAD.bottom);
  context.strokeStyle = '#ddd';
  context.strokeRect(PAD.left, PAD.top, width - PAD.left - PAD.right, height - PAD.top - PAD.bottom);
  context.strokeStyle = '#4e79a7';
  context.lineWidth = 1.25;
  context.beginPath();
  steps.forEach((step, i) => {
    if (i === 0) context.moveTo(x(step), y(values[i] as number));
    else context.lineTo(x(step), y(values[i] as number));
  });
  context.stroke();
  context.fillStyle = '#e15759';
  for (const test of tests) {
    context.beginPath();
    context.arc(x(test.step), y(test.value), 3.5, 0, 2 * Math.PI);
    context.fill();
  }
  context.fillStyle = '#333';
  context.font = '12px system-ui, sans-serif';
  const latest = values.at(-1);
  context.fillText(`${title}${latest === undefined ? '' : `: ${format(latest)}`}`, PAD.left, 13);
  context.fillStyle = '#777';
  context.font = '10px system-ui, sans-serif';
  context.fillText(format(high), 2, PAD.top + 8);
  context.fillText(format(low), 2, height - PAD.bottom);
  context.fillText(`step ${last}`, width - PAD.right - 48, height - 4);
  if (tests.length > 0) {
    context.fillStyle = '#e15759';
    context.fillText('● test, per epoch', PAD.left + 4, height - 4);
  }
}

function format(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}
