import type * as tf from '@tensorflow/tfjs-core';

/** One batch as the models take it. The loop disposes every tensor in it after the step. */
export interface TrainBatch {
  /** images float32 [b, h, w, c] in [0, 1], or code maps int32 [b, h, w] */
  x: tf.Tensor;
  /** clean images for the denoising AE */
  target?: tf.Tensor;
  /** int32 [b] */
  labels?: tf.Tensor1D;
}

/** An epoch's data: batch(i) builds new tensors each call. */
export interface EpochData {
  numBatches: number;
  /** images (or positions) per batch, for images/s */
  batchSize: number;
  size: number;
  batch(index: number): TrainBatch;
}

/** What the training loop needs of a model, whatever its kind. */
export interface TrainableModel {
  readonly kind: 'vae' | 'vqvae' | 'pixelcnn';
  /** Names of the loss parts trainStep returns, in display order; `loss` first. */
  readonly partNames: readonly string[];
  trainStep(
    optimizer: tf.Optimizer,
    batch: TrainBatch,
    options: { seed: number; step: number },
  ): Record<string, tf.Scalar>;
  lossParts(batch: TrainBatch, options: { seed: number }): Record<string, tf.Scalar>;
  /** Called once per epoch after the test loss; writes the run's pictures for that epoch. */
  writePictures(runDir: string, epoch: number, options: { seed: number }): Promise<void> | void;
  /** Extra per-epoch figures (codebook usage, …), computed after the epoch's test loss, before its pictures. */
  epochMetrics?(): Promise<Record<string, number>> | Record<string, number>;
  /** Resets per-epoch accumulators. */
  startEpoch?(): void;
  /** Saves the model's files (its manifest and its LayersModels) into a folder. */
  save(dir: string): Promise<void>;
  dispose(): void;
}
