import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  assertPositiveInt,
  categoricalLogProb,
  formatExpected,
  type PartIO,
  type TrainableModel,
  type TrainStepOptions,
  ValueError,
} from '@vaejs/core';
import { loadPixelCnnParts, type PixelCnnManifest, restorePixelCnnParts, savePixelCnnParts } from './checkpoint';
import { type PixelCnnConfig, type ResolvedPixelCnnConfig, resolvePixelCnnConfig } from './config';
import { assertMaps, conditioningOneHot, type LabelsInput } from './inputs';
import { buildPixelCnnNetwork } from './network';
import { type PixelCnnSampleOptions, samplePixelCnn } from './sample';

/**
 * A training or test batch: maps int32 [n, h, w] with values in [0, K), labels when the model is conditioned. The
 * contract's `TrainBatch` fits (its `target` is ignored).
 */
export interface PixelCnnBatch {
  /** int32 [n, height, width], values in [0, numCategories) (any tensor type-wise: checked when called). */
  x: tf.Tensor;
  /** int32 [n] (or an array of n indices, or one index for all) in [0, numClasses); ignored by an unconditioned model. */
  labels?: LabelsInput;
}

/** Named losses: `loss` is the mean negative log-likelihood in nats per position; `bitsPerDim` = loss / ln 2. */
export interface PixelCnnLossParts extends Record<string, tf.Scalar> {
  loss: tf.Scalar;
  bitsPerDim: tf.Scalar;
}

/**
 * Options of `trainStep` and `lossParts`: `@vaejs/training`'s step options. `seed`, `step` and `beta` are accepted
 * for the trainer's uniform calls, unused (the loss draws nothing at random).
 */
export interface PixelCnnStepOptions extends TrainStepOptions {
  seed?: number;
  beta?: number;
  /** Read the maps back to check every value lies in [0, K) (one synchronous read). Default true. */
  checkValues?: boolean;
}

/** Result of `evaluate`, plain numbers: mean nats per position and bits per dimension over the whole set. */
export interface PixelCnnEvaluation {
  loss: number;
  bitsPerDim: number;
}

/**
 * A PixelCNN prior over int32 maps [n, h, w] with K categories. It is a `TrainableModel` of `@vaejs/core`
 * (`@vaejs/training`'s `fit` trains, checkpoints and resumes it as it is); it has no `previews` (no decoder: pictures
 * of its samples need the VQ-VAE that made the maps).
 */
export interface PixelCnn extends TrainableModel {
  /** The resolved, frozen config. */
  readonly config: ResolvedPixelCnnConfig;
  /** The whole network: inputs maps int32 [n, h, w] (+ labels one-hot [n, numClasses]), output logits [n, h, w, K]. */
  readonly network: tfl.LayersModel;
  /**
   * Logits of every position given the positions before it (raster order).
   * @param maps int32 [n, height, width] in [0, K)
   * @param labels int32 [n] in [0, numClasses), required if and only if the model is conditioned
   * @returns float32 [n, height, width, K]
   */
  logits(maps: tf.Tensor3D, labels?: LabelsInput): tf.Tensor4D;
  /** log p(map) summed over positions, in nats. @returns float32 [n] */
  logProb(maps: tf.Tensor3D, labels?: LabelsInput): tf.Tensor1D;
  /** The losses of `trainStep` without updating anything. */
  lossParts(batch: PixelCnnBatch, options?: PixelCnnStepOptions): PixelCnnLossParts;
  /** One optimiser step on the categorical cross-entropy; returns the losses before the update (caller disposes). */
  trainStep(optimizer: tf.Optimizer, batch: PixelCnnBatch, options?: PixelCnnStepOptions): PixelCnnLossParts;
  /** Mean nats per position and bits per dimension over all maps, computed `batchSize` maps at a time. */
  evaluate(maps: tf.Tensor3D, options?: { labels?: LabelsInput; batchSize?: number }): Promise<PixelCnnEvaluation>;
  /** Ancestral sampling, position by position: int32 [n, height, width] (caller disposes). */
  sample(n: number, options?: PixelCnnSampleOptions): Promise<tf.Tensor3D>;
  /** Writes the network through `io('network')` and returns the manifest (as `pixelcnn.json`): `savePixelCnn`. */
  save(io: PartIO): Promise<PixelCnnManifest>;
  /**
   * Sets the weights of a checkpoint written by `save` into this model (no new model): the manifest's config must
   * equal this one's but for `seed`. Afterwards the model computes bit for bit what the saved one did.
   * @throws CheckpointError for another kind or version, another config (naming the first differing field), or a
   *   network that cannot be read.
   */
  restore(manifest: unknown, io: PartIO): Promise<void>;
  /** Disposes the network's weights. */
  dispose(): void;
}

/**
 * Builds a PixelCNN prior (gated by default) with fresh weights seeded by `config.seed`.
 * @example
 * const prior = createPixelCnn({ numCategories: 128, height: 7, width: 7 });
 * const logits = prior.logits(codes); // codes int32 [8, 7, 7] → float32 [8, 7, 7, 128]
 */
export function createPixelCnn(config: PixelCnnConfig): PixelCnn {
  const resolved = resolvePixelCnnConfig(config);
  return wrapPixelCnnNetwork(resolved, buildPixelCnnNetwork(resolved));
}

/**
 * Validates a manifest written by `savePixelCnn` (or `prior.save`) and loads its network through `io('network')` (a
 * handler or a URL).
 * @throws CheckpointError for a manifest of another format or version, a bad config, or a network that does not
 *   match the config.
 * @example const prior = await loadPixelCnn(await (await fetch('run/pixelcnn.json')).json(), (part) => `run/${part}/model.json`);
 */
export async function loadPixelCnn(
  manifest: unknown,
  io: (part: string) => tf.io.IOHandler | string,
): Promise<PixelCnn> {
  const { config, network } = await loadPixelCnnParts('loadPixelCnn', manifest, io);
  return wrapPixelCnnNetwork(config, network);
}

/**
 * Writes the network (standard tfjs LayersModel format: topology plus weights) through `io('network')` and returns the
 * manifest. Filesystem-free: the caller supplies the handler (`tf.io.withSaveHandler`, a file handler, a
 * `localstorage://` one in the browser…).
 * @example
 * const manifest = await savePixelCnn(prior, (part) => tf.io.withSaveHandler(async (artifacts) => store(part, artifacts)));
 */
export function savePixelCnn(model: PixelCnn, io: PartIO): Promise<PixelCnnManifest> {
  return savePixelCnnParts('savePixelCnn', model, io);
}

/** Wraps an existing network (built by `buildPixelCnnNetwork` or loaded) with the PixelCnn interface. */
export function wrapPixelCnnNetwork(config: ResolvedPixelCnnConfig, network: tfl.LayersModel): PixelCnn {
  const forward = (maps: tf.Tensor3D, labelsOneHot: tf.Tensor2D | undefined): tf.Tensor4D =>
    network.apply(labelsOneHot ? [maps, labelsOneHot] : maps) as tf.Tensor4D;

  const withLabels = <T>(
    fn: string,
    maps: unknown,
    labels: LabelsInput | undefined,
    checkValues: boolean,
    body: (maps: tf.Tensor3D, labelsOneHot: tf.Tensor2D | undefined) => T,
  ): T => {
    assertMaps(fn, maps, config, checkValues);
    const labelsOneHot = conditioningOneHot(fn, labels, maps.shape[0], config, checkValues);
    try {
      return body(maps, labelsOneHot);
    } finally {
      labelsOneHot?.dispose();
    }
  };
  // a batch's labels are ignored by an unconditioned model, so that one data pipeline feeds every prior
  const batchLabels = (batch: PixelCnnBatch | undefined) => (config.numClasses > 0 ? batch?.labels : undefined);

  const meanLoss = (maps: tf.Tensor3D, labelsOneHot: tf.Tensor2D | undefined): tf.Scalar =>
    tf.neg(tf.mean(categoricalLogProb(forward(maps, labelsOneHot), maps))) as tf.Scalar;

  const toParts = (loss: tf.Scalar): PixelCnnLossParts => ({
    loss,
    bitsPerDim: tf.tidy(() => tf.div(loss, Math.LN2) as tf.Scalar),
  });

  return {
    config,
    lossUnit: 'nats per position',
    network,
    logits(maps, labels) {
      return withLabels('pixelCnn.logits', maps, labels, true, (checked, oneHot) =>
        tf.tidy(() => forward(checked, oneHot)),
      );
    },
    logProb(maps, labels) {
      return withLabels('pixelCnn.logProb', maps, labels, true, (checked, oneHot) =>
        tf.tidy(() => tf.sum(categoricalLogProb(forward(checked, oneHot), checked), [1, 2]) as tf.Tensor1D),
      );
    },
    lossParts(batch, options = {}) {
      const checkValues = options.checkValues ?? true;
      return withLabels('pixelCnn.lossParts', batch?.x, batchLabels(batch), checkValues, (maps, oneHot) =>
        toParts(tf.tidy(() => meanLoss(maps, oneHot))),
      );
    },
    trainStep(optimizer, batch, options = {}) {
      const checkValues = options.checkValues ?? true;
      return withLabels('pixelCnn.trainStep', batch?.x, batchLabels(batch), checkValues, (maps, oneHot) => {
        const variables = network.trainableWeights.map((weight) => weight.read() as tf.Variable);
        const loss = optimizer.minimize(() => meanLoss(maps, oneHot), true, variables) as tf.Scalar;
        return toParts(loss);
      });
    },
    async evaluate(maps, options = {}) {
      const fn = 'pixelCnn.evaluate';
      const batchSize = options.batchSize ?? 64;
      assertPositiveInt(fn, 'options.batchSize', batchSize);
      assertMaps(fn, maps, config);
      const n = maps.shape[0];
      const allLabels = conditioningOneHot(fn, options.labels, n, config);
      let totalNats = 0;
      try {
        for (let start = 0; start < n; start += batchSize) {
          const size = Math.min(batchSize, n - start);
          const batchNats = tf.tidy(() => {
            const batch = tf.slice(maps, [start, 0, 0], [size, config.height, config.width]);
            const oneHot = allLabels ? tf.slice(allLabels, [start, 0], [size, config.numClasses]) : undefined;
            return tf.neg(tf.sum(categoricalLogProb(forward(batch, oneHot), batch)));
          });
          try {
            totalNats += (await batchNats.data())[0] as number;
          } finally {
            batchNats.dispose();
          }
        }
      } finally {
        allLabels?.dispose();
      }
      const loss = totalNats / (n * config.height * config.width);
      if (!Number.isFinite(loss)) {
        throw new ValueError(formatExpected(fn, 'maps', 'a finite negative log-likelihood', String(loss)));
      }
      return { loss, bitsPerDim: loss / Math.LN2 };
    },
    sample(n, options) {
      return samplePixelCnn(config, network, n, options);
    },
    save: (io) => savePixelCnnParts('pixelCnn.save', { config, network }, io),
    restore: (manifest, io) => restorePixelCnnParts('pixelCnn.restore', { config, network }, manifest, io),
    dispose() {
      network.dispose();
    },
  };
}
