/**
 * The training status a script reads: `[data-testid="train-status"]` holds one JSON object, updated at every step
 * read back and every epoch — `{ state, model, backend, epoch, step, test_loss, images_per_sec, message }` (the names
 * are a contract) plus `epochs`, `saved_epoch`, `resumed_from` and `tensors`.
 */

export interface TrainStatus {
  state: 'training' | 'done' | 'error';
  model: string;
  backend: string | null;
  /** The epoch in progress while training; the last one completed when done. */
  epoch: number;
  /** Steps trained in all (a resumed run's included). */
  step: number;
  /** The last completed epoch's test loss, in the CLI's units (metrics.jsonl's `test_loss`); null before one. */
  test_loss: number | null;
  images_per_sec: number | null;
  message: string;
  epochs: number;
  /** The newest epoch kept in IndexedDB, or null. */
  saved_epoch: number | null;
  /** The epoch a resumed run continued after, or null for a new run. */
  resumed_from: number | null;
  /** Live tensors in the worker (flat from step to step when nothing leaks). */
  tensors: number | null;
}

/** The status element's text: one line of JSON (non-finite numbers as null). */
export function statusText(status: TrainStatus): string {
  return JSON.stringify(status, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

/** A fresh status for a run of `model` about to start. */
export function initialStatus(model: string, epochs: number): TrainStatus {
  return {
    state: 'training',
    model,
    backend: null,
    epoch: 0,
    step: 0,
    test_loss: null,
    images_per_sec: null,
    message: 'starting',
    epochs,
    saved_epoch: null,
    resumed_from: null,
    tensors: null,
  };
}
