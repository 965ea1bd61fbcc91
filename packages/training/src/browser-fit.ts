// `fit` for browsers and bundlers: no run folder on disk (there is no file system); training is followed through
// callbacks, and kept, if wanted, in a run folder held as files (`store`: IndexedDB, or memory).
import type { TrainableModel } from '@vaejs/core';
import type { History } from './callbacks';
import type { FitData } from './data';
import { fitWith } from './fit';
import type { FitOptions } from './options';
import type { FitHost } from './run-folder/store';

const browserHost: FitHost = {
  memory: () => ({ tensor_mb: 0 }),
  print: (line) => console.log(line),
  yieldToEventLoop: () => new Promise((resolve) => setTimeout(resolve, 0)),
};

/**
 * Trains `model` on `data.train` for `options.epochs` epochs (see FitOptions), scoring `data.test` after each, and
 * returns the history. In a browser there is no `runDir`: follow training with `callbacks` (`onBatchEnd` with each
 * step's `losses` at `logEvery`, `onPreviews`), hold it with `pause` and end it with `signal`; keep it, checkpointed
 * and resumable, with `store: await openIndexedDbRun(name, { resume: 'auto' })`, and hand it to the CLI as one zip
 * (`writeZip` of the run's files).
 * @example
 * const stop = new AbortController();
 * const onBatchEnd = (logs) => logs.losses && chart.add(logs.step, logs.losses); // { loss, recon, kl }
 * await fit(vae, data, { epochs: 1, logEvery: 1, signal: stop.signal, callbacks: [{ onBatchEnd }] });
 */
export function fit(model: TrainableModel, data: FitData, options: FitOptions = {}): Promise<History> {
  return fitWith(browserHost, model, data, options);
}
