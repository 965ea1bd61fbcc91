import * as tf from '@tensorflow/tfjs-core';
import { trySetBackend } from '../backend';
import { notApplicable } from '../notices';
import { BACKEND_CHOICES, type BackendChoice } from '../settings';
import { el } from '../ui';
import type { ViewContext } from './context';

/** One backend's figures (ms), or why it was skipped. */
export interface BenchRow {
  backend: BackendChoice;
  /** Median of 3 timed decodes of the 20×20 manifold grid (400 images), read back included. */
  gridMs: number | null;
  /** Time to sample 16 PixelCNN code maps, position by position (one run after a warm-up). */
  pixelcnnMs: number | null;
  skipped?: string;
}

declare global {
  interface Window {
    /** The last benchmark's rows, for the bench script. */
    __vaejsBench?: BenchRow[];
  }
}

/**
 * Times what a user waits for: decoding the 20×20 manifold grid and sampling 16 PixelCNN code maps, on the backend
 * in use (every backend the browser offers, when asked: a software-drawn WebGL takes tens of seconds). The page's
 * backend is restored afterwards.
 */
export function mountBench(body: HTMLElement, context: ViewContext): void {
  const { vae, pixelcnn } = context.models;
  const current = context.backend;
  if (!vae && !pixelcnn)
    return void notApplicable(body, 'The benchmark times a VAE and a PixelCNN prior; neither is loaded.');
  const which = el('select', { id: 'bench-backends', 'aria-label': 'backends to time' }, [
    el('option', { value: 'current', text: `the backend in use (${current})` }),
    el('option', { value: 'all', text: 'every backend (slower)' }),
  ]);
  const button = el('button', { id: 'bench-run', type: 'button', class: 'primary', text: 'Run benchmark' });
  const status = el('p', { id: 'bench-status', class: 'note' });
  const table = el('table', { id: 'bench-results' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        ['backend', 'grid 20×20 decode (ms)', '16 PixelCNN maps (ms)', 'note'].map((text) => el('th', { text })),
      ),
    ]),
    el('tbody'),
  ]);
  table.hidden = true; // until the first run
  const run = async () => {
    button.disabled = true;
    const rows: BenchRow[] = [];
    const tbody = table.querySelector('tbody') as HTMLTableSectionElement;
    tbody.replaceChildren();
    table.hidden = false;
    const backends = which.value === 'current' ? [current] : BACKEND_CHOICES;
    try {
      for (const backend of backends) {
        status.textContent = `running on ${backend}…`;
        const row = await benchBackend(backend, context);
        rows.push(row);
        const cell = (value: number | null) => (value === null ? '–' : value.toFixed(1));
        tbody.append(
          el('tr', { 'data-backend': backend }, [
            el('td', { text: backend }),
            el('td', { text: cell(row.gridMs) }),
            el('td', { text: cell(row.pixelcnnMs) }),
            el('td', { text: row.skipped ?? '' }),
          ]),
        );
      }
    } finally {
      await trySetBackend(current);
      button.disabled = false;
    }
    status.textContent = `done; back on ${tf.getBackend()}.`;
    window.__vaejsBench = rows;
    body.dataset.done = 'true';
  };
  button.addEventListener('click', () => void run().catch(context.report));
  body.append(el('div', { class: 'controls' }, [which, button]), status, el('div', { class: 'table-wrap' }, [table]));
  // ?bench=run times the backend in use on load, ?bench=all every backend (the bench script's run)
  const onLoad = new URLSearchParams(location.search).get('bench');
  if (onLoad === 'all') which.value = 'all';
  if (onLoad === 'run' || onLoad === 'all') void run().catch(context.report);
}

async function benchBackend(backend: BackendChoice, context: ViewContext): Promise<BenchRow> {
  const failure = await trySetBackend(backend);
  if (failure !== null) return { backend, gridMs: null, pixelcnnMs: null, skipped: failure };
  const { vae, pixelcnn } = context.models;
  let gridMs: number | null = null;
  if (vae && vae.config.latentDim >= 2) {
    const decodeGrid = async () => {
      const start = performance.now();
      const grid = vae.latentGrid(20);
      await grid.data();
      grid.dispose();
      return performance.now() - start;
    };
    await decodeGrid(); // warm-up: shader compilation, weight upload
    const times = [await decodeGrid(), await decodeGrid(), await decodeGrid()].sort((a, b) => a - b);
    gridMs = times[1] as number;
  }
  let pixelcnnMs: number | null = null;
  if (pixelcnn) {
    // a class-conditional prior draws every class in turn, as the PixelCNN view does by default
    const classes = pixelcnn.config.numClasses;
    const labels = classes > 0 ? Array.from({ length: 16 }, (_, i) => i % classes) : undefined;
    (await pixelcnn.sample(16, { seed: 0, labels })).dispose(); // warm-up
    const start = performance.now();
    const maps = await pixelcnn.sample(16, { seed: 1, labels });
    pixelcnnMs = performance.now() - start;
    maps.dispose();
  }
  return { backend, gridMs, pixelcnnMs };
}
