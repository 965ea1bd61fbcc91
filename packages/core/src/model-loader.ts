/**
 * How a model package hands its checkpoints to readers that import no model package (`@vaejs/training`'s run-folder
 * reader): each package exports one loader (`vaeLoader`, `vqVaeLoader`, `pixelCnnLoader`), and an app lists the
 * ones it reads. Types only: importing this touches no engine state.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelSize } from './model-size';
import type { TrainableModel } from './trainable';

/** The loader of one model kind: what a reader needs to turn a checkpoint of that kind into a model. */
export interface ModelLoader<M extends TrainableModel = TrainableModel> {
  /**
   * The kind it reads: a manifest's `format` without the `vaejs-` prefix (`'vae'` for `'vaejs-vae'`), the name of the
   * checkpoint's `<kind>.json`.
   */
  readonly kind: string;
  /** A new model with a checkpoint's weights and state: the package's `loadX(manifest, io)`. */
  load(manifest: unknown, io: (part: string) => tf.io.IOHandler | string): Promise<M>;
  /** A new, untrained model of a checkpoint's config (`manifest.config`): what `fit` restores a run into to resume it. */
  create(config: unknown): M;
  /**
   * The package's estimate of one training step of a checkpoint's config on batches of `batchSize` items
   * (`estimateVaeSize`…), made before anything is built: what a reader checks a memory limit against first (a
   * tampered `hidden: [100000]` would allocate gigabytes). Throws a ConfigError for a config that is not valid.
   */
  estimate?(config: unknown, batchSize: number): ModelSize;
}
