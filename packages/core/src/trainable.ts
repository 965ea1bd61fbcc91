/**
 * The one contract between the model packages and `@vaejs/training`: a model that implements it can be trained by
 * `fit`, checkpointed and resumed, whatever its kind. Types only: importing this touches no engine state.
 *
 * `@vaejs/vae`, `@vaejs/vqvae` and `@vaejs/pixelcnn-prior` implement it on the objects their factories return, so
 * `fit(createVae(config), data, options)` works without an adapter; `@vaejs/training` imports none of them.
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * One batch as `fit` hands it to a model. `fit` owns the tensors and disposes them after the step.
 */
export interface TrainBatch {
  /** images float32 `[batch, h, w, c]` in [0, 1] (corrupted for a denoising AE), or code maps int32 `[batch, h, w]` */
  x: tf.Tensor;
  /** float32 `[batch, h, w, c]`: the clean images a denoising AE reconstructs; absent otherwise */
  target?: tf.Tensor;
  /** int32 `[batch]` class labels, when the dataset has them */
  labels?: tf.Tensor1D;
}

/**
 * What `fit` passes to each `trainStep`: a seed drawn from its seeded stream (the same run draws the same seeds, and
 * a resumed run continues the stream), the global step, and whatever the caller's `stepOptions` add (a KL weight
 * schedule's `beta`, say).
 */
export interface TrainStepOptions {
  seed?: number;
  step?: number;
  [option: string]: unknown;
}

/**
 * The JSON a model's `save` returns and its loader reads. `format` names the kind (`'vaejs-vae'`,
 * `'vaejs-vqvae'`, `'vaejs-pixelcnn'`): a checkpoint's kind is `format` without the `vaejs-` prefix, and the run
 * folder stores the manifest as `<kind>.json` beside one folder per part.
 */
export interface ModelManifest {
  format: string;
  version: number;
  /** The part names handed to `io`, one tfjs LayersModel each. */
  parts: string[];
  /** The model's resolved config, plain JSON. */
  config: object;
}

/** Hands out a tfjs IOHandler for each part of a model (a folder per part on disk, a URL per part in a browser). */
export type PartIO = (part: string) => tf.io.IOHandler;

/**
 * A picture of the model after an epoch: images `[n, h, w, c]` in [0, 1] laid out in `columns` columns, each pixel
 * drawn `scale` times (default 2), or counts drawn as a bar chart (a codebook's usage). `fit` writes it as
 * `<name>.png` and disposes the images.
 */
export type Preview = { images: tf.Tensor4D; columns?: number; scale?: number } | { counts: number[]; title?: string };

/**
 * What `fit` needs of a model. `trainStep` and `lossParts` return float32 scalars that the caller disposes, `loss`
 * first (the minimised quantity), then the parts reported beside it.
 */
export interface TrainableModel {
  /** One optimisation step on a batch; returns the loss parts. */
  trainStep(optimizer: tf.Optimizer, batch: TrainBatch, options?: TrainStepOptions): Record<string, tf.Scalar>;
  /** The same parts without updating anything: the evaluation on a test batch. */
  lossParts(batch: TrainBatch, options?: { seed?: number }): Record<string, tf.Scalar>;
  /** Writes every part through `io` (the standard tfjs format) and returns the manifest: the state to checkpoint. */
  save(io: PartIO): Promise<ModelManifest>;
  /**
   * Loads weights and state written by `save` of a model with the same config into this one (exact: a resumed run
   * continues bit for bit). Throws a CheckpointError naming the problem for another kind or another config.
   */
  restore(manifest: unknown, io: PartIO): Promise<void>;
  /**
   * Optional: figures computed once per epoch after the test loss, from a fixed sample of test data (up to 2,000
   * items), written to metrics.jsonl with a `test_` prefix (a VQ-VAE's codebook usage and perplexity, say).
   */
  epochMetrics?(sample: TrainBatch): Promise<Record<string, number>>;
  /** Optional: pictures of the model after an epoch, from the first 32 test items (reconstructions, samples). */
  previews?(sample: TrainBatch, options: { seed: number; epoch: number }): Promise<Record<string, Preview>>;
  /** Optional: the unit of `loss`, for the axis of a loss chart (`'nats per image'`). */
  readonly lossUnit?: string;
  /** Frees every weight and state tensor. */
  dispose(): void;
}

/** The kind a manifest names: `'vaejs-vae'` → `'vae'`. */
export function manifestKind(manifest: Pick<ModelManifest, 'format'>): string {
  return manifest.format.replace(/^vaejs-/, '');
}
