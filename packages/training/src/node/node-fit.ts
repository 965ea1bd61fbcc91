// `fit` for Node: run folders (metrics, pictures, atomic checkpoints, exact resume, one writer, signals).
import type { TrainableModel } from '@vaejs/core';
import type { History } from '../callbacks';
import type { FitData } from '../data';
import { fitWith } from '../fit';
import type { FitOptions } from '../options';
import { nodeHost } from './host';

/**
 * Trains `model` on `data.train` for `options.epochs` epochs (see FitOptions), scoring `data.test` after each, and
 * returns the history. With `runDir` it writes config.json, metrics.jsonl (a line per epoch), pictures, loss.png and
 * atomic checkpoints; `resume: true` continues a run bit for bit.
 * @example
 * const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 });
 * const history = await fit(vae, { train: loadMnist({ split: 'train' }), test: loadMnist({ split: 'test' }) },
 *   { epochs: 10, runDir: 'runs/vae', seed: 1 });
 */
export function fit(model: TrainableModel, data: FitData, options: FitOptions = {}): Promise<History> {
  return fitWith(nodeHost, model, data, options);
}
