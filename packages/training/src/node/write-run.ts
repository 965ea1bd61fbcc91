/**
 * A run folder written in one go for a model trained elsewhere (by PyTorch, through `vaejs import`): the same files
 * `fit` writes (`run-format.ts`), through the same store — the lock, the checks of the folder, the config, the
 * metrics, the loss chart and one atomic checkpoint — so that every reader takes it and `fit` resumes it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, manifestKind, type RngState, type TrainableModel } from '@vaejs/core';
import type { NamedTensor } from '../optimizer';
import { checkpointInfo } from '../run-folder/resume';
import { type EpochRecord, RUN_FORMAT, type RunConfig } from '../run-format';
import { openRunFolder } from './run-folder';

/** What {@link writeRunFolder} writes. */
export interface RunFolderContent {
  /** The trained model; its `save` writes the checkpoint's parts and manifest. */
  model: TrainableModel;
  /** Epochs completed: the checkpoint is `epoch-<epoch>`, written at the end of that epoch. */
  epoch: number;
  /** Optimisation steps taken in all. */
  step: number;
  /** One record per completed epoch (metrics.jsonl, and the checkpoint's history). */
  history: EpochRecord[];
  /** The optimizer's slots as `fit` names them (`iter`, `<weight>/m`, …), in its order; none: a fresh optimizer. */
  optimizerState?: NamedTensor[];
  /** The state of fit's seeded stream to resume with (default: a new stream of `fit.seed`). */
  rng?: RngState;
  /** The run config's `fit`, `data` and `app` (`config.json`). */
  fit: RunConfig['fit'];
  data: RunConfig['data'];
  app?: Record<string, unknown>;
}

/**
 * Writes a run folder into `dir` (a new folder, or an empty one): `config.json`, `metrics.jsonl`, `loss.png` and the
 * checkpoint `checkpoints/epoch-<epoch>` that `fit` resumes from and the run reader loads. Returns the checkpoint folder.
 * @throws ConfigError for a folder that holds another run's checkpoints or other files (nothing is written then)
 * @example await writeRunFolder('runs/vq-torch', { model, epoch: 2, step: 64, history, fit, data });
 */
export async function writeRunFolder(dir: string, content: RunFolderContent): Promise<string> {
  const manifest = await content.model.save(() =>
    tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
  );
  const kind = manifestKind(manifest);
  const store = openRunFolder(dir, { resume: false });
  try {
    const config: RunConfig = {
      format: RUN_FORMAT,
      version: 1,
      kind,
      model: manifest.config,
      fit: content.fit,
      data: content.data,
      ...(content.app ? { app: content.app } : {}),
      createdAt: new Date().toISOString(),
    };
    store.writeConfig(config);
    store.writeMetrics(content.history);
    if (content.history.length > 0) store.writeLossChart(content.history, content.model.lossUnit);
    const rng = createRng(typeof content.fit.seed === 'number' ? content.fit.seed : 0);
    if (content.rng) rng.setState(content.rng);
    const position = { epoch: content.epoch, batch: 0, step: content.step, records: content.history };
    const info = checkpointInfo(kind, { ...position, partial: null, checkpoint: null }, rng);
    // a fresh optimizer's state: its step count alone (tfjs' setWeights reads it first)
    const fresh = content.optimizerState ? null : [{ name: 'iter', tensor: tf.scalar(0, 'int32') }];
    try {
      const optimizerState = content.optimizerState ?? (fresh as NamedTensor[]);
      return await store.writeCheckpoint({ info, saveModel: (io) => content.model.save(io), optimizerState }, 1);
    } finally {
      if (fresh) tf.dispose(fresh.map((slot) => slot.tensor));
    }
  } finally {
    store.close();
  }
}
