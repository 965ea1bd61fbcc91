// `fit` for browsers and bundlers: no run folder (there is no file system); training is followed through callbacks.
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
 * returns the history. In a browser there is no run folder: follow training with `callbacks`, and save the model
 * with tfjs' own handlers (`model.save(() => tf.io.browserLocalStorage(...))`).
 */
export function fit(model: TrainableModel, data: FitData, options: FitOptions = {}): Promise<History> {
  return fitWith(browserHost, model, data, options);
}
