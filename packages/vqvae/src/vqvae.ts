// VQ-VAE (van den Oord et al. 2017): convolutional encoder → vector quantiser → convolutional decoder, as a
// TrainableModel that `fit` of @vaejs/training drives, checkpoints and resumes.
import * as tf from '@tensorflow/tfjs-core';
import { checkPartIO, type PartIO, type Preview, partHandler, type TrainableModel, type TrainBatch } from '@vaejs/core';
import { readVqVaeManifest, restoreVqVae, saveVqVae, type VqVaeManifest } from './checkpoint';
import { type ResolvedVqVaeConfig, resolveVqVaeConfig, type VqVaeConfig } from './config';
import { measureCodeUsage, reconstructionRows } from './epoch-report';
import { type VqVaeLossParts, vqVaeForward } from './forward';
import {
  checkBatch,
  checkCodeMap,
  checkImages,
  checkOptimizer,
  type VqVaeBatch,
  type VqVaeStepOptions,
} from './inputs';
import { buildVqVaeNetworks, findQuantizerLayer, latentShape, type VqVaeNetworks } from './network';
import type { AnyQuantizer } from './quantizer-kinds';

/** What `trainStep` returns: the loss parts plus `restarted`, the number of dead codes restarted (float32). */
export type VqVaeStepResult = VqVaeLossParts & { restarted: tf.Scalar };

/** What `epochMetrics` returns (`fit` writes them to metrics.jsonl as `test_code_perplexity`, `test_code_usage`). */
export type VqVaeEpochMetrics = {
  /** Perplexity of the sample's codes, in [1, K]. */
  code_perplexity: number;
  /** Share of the K codes the sample uses, in [0, 1]. */
  code_usage: number;
};

/** A VQ-VAE: its three LayersModels, the quantiser over the codebook, and the operations. */
export interface VqVae extends VqVaeNetworks, TrainableModel {
  readonly config: ResolvedVqVaeConfig;
  /** The quantiser (variables shared with `quantizerModel`). */
  readonly quantizer: AnyQuantizer;
  /** [h, w, D] of the code map. */
  readonly latentShape: [number, number, number];
  /** Encoder output z_e. @param x float32 [n, H, W, C] @returns float32 [n, h, w, D] */
  encodeContinuous(x: tf.Tensor): tf.Tensor4D;
  /**
   * Code map. @param x float32 [n, H, W, C]
   * @returns int32 [n, h, w]; residual VQ: [n, h, w, L], one code per level (a rank-4 tensor)
   */
  encode(x: tf.Tensor): tf.Tensor3D;
  /**
   * Images from a code map. @param indices int32 [n, h, w] in [0, K); residual VQ: [n, h, w, m], the first m ≤ L
   * levels' codes (a prefix decodes to a coarser image) @returns float32 [n, H, W, C]
   */
  decode(indices: tf.Tensor): tf.Tensor4D;
  /** decode(encode(x)). @param x float32 [n, H, W, C] @returns float32 [n, H, W, C] */
  reconstruct(x: tf.Tensor): tf.Tensor4D;
  /**
   * One optimisation step (one `optimizer.minimize` over encoder, decoder and — unless EMA — codebook), then the
   * quantiser's `update` (EMA, restarts). Runs the k-means initialisation first when `kmeansInit` and not done yet.
   * @param batch `{ x, target? }` float32 [n, H, W, C] (`labels` ignored)
   * @param options `{ beta? }`: this step's commitment weight (`seed`, `step` unused: nothing here is sampled)
   */
  trainStep(optimizer: tf.Optimizer, batch: VqVaeBatch, options?: VqVaeStepOptions): VqVaeStepResult;
  /** The same parts as `trainStep`, without updating anything (test loss). */
  lossParts(batch: VqVaeBatch, options?: VqVaeStepOptions): VqVaeLossParts;
  /** {@link saveVqVae}: writes the three parts through `io` and returns the manifest. */
  save(io: PartIO): Promise<VqVaeManifest>;
  /**
   * Loads weights, EMA buffers, `initialized` and the quantiser's random stream written by `save` of a model with
   * the same config (`seed` aside) into this one, bit for bit.
   * @throws CheckpointError for another format, version or parts, the first config field that differs, a bad part
   */
  restore(manifest: unknown, io: PartIO): Promise<void>;
  /**
   * Encodes `sample.x` (fit passes up to 2,000 test images) in chunks of 500 and returns the codes' perplexity and
   * usage; keeps the counts for the `codebook-usage` preview.
   */
  epochMetrics(sample: TrainBatch): Promise<VqVaeEpochMetrics>;
  /**
   * `reconstructions`: rows of 8 originals (`sample.target ?? sample.x`) each followed by a row of their
   * reconstructions, 8 columns (the caller disposes the images); and, once `epochMetrics` has run,
   * `codebook-usage`: `{ counts, title: 'code usage, epoch N' }`.
   */
  previews(sample: TrainBatch, options: { seed: number; epoch: number }): Promise<Record<string, Preview>>;
  /** Frees every weight, codebook and EMA state. */
  dispose(): void;
}

/**
 * Creates a VQ-VAE. Sizes are required; the rest defaults to the Keras example's MNIST model (conv 32 and 64, k3 s2,
 * then a 1×1 conv to D; mirrored decoder).
 * @example
 * const vqvae = createVqVae({ inputShape: [28, 28, 1], dim: 16, codebookSize: 64, quantizer: { ema: true } });
 * const codes = vqvae.encode(images); // int32 [n, 7, 7]
 * const decoded = vqvae.decode(codes); // float32 [n, 28, 28, 1]
 */
export function createVqVae(config: VqVaeConfig): VqVae {
  const resolved = resolveVqVaeConfig(config);
  return assembleVqVae(resolved, buildVqVaeNetworks(resolved));
}

/**
 * Loads a VQ-VAE saved by {@link saveVqVae}: builds the model its manifest's config describes and restores the
 * saved state into it. `io(part)` is an IOHandler or a URL (in a browser, the part's model.json URL).
 * @throws CheckpointError for a manifest of another kind or version, an invalid config, or an unreadable part.
 * @example const vqvae = await loadVqVae(manifest, (part) => `${base}/${part}/model.json`);
 */
export async function loadVqVae(manifest: unknown, io: (part: string) => tf.io.IOHandler | string): Promise<VqVae> {
  const fn = 'loadVqVae';
  const config = readVqVaeManifest(fn, manifest);
  checkPartIO(fn, io, 'tf.io.IOHandler | string');
  const vqvae = createVqVae(config);
  try {
    await restoreVqVae(vqvae, manifest, (part) => partHandler(fn, io(part)), fn);
    return vqvae;
  } catch (error) {
    vqvae.dispose();
    throw error;
  }
}

/** Wraps built networks into a VqVae. Internal. */
export function assembleVqVae(config: ResolvedVqVaeConfig, networks: VqVaeNetworks): VqVae {
  const { encoder, quantizerModel, decoder } = networks;
  const quantizer = findQuantizerLayer(quantizerModel).quantizer;
  const grid = latentShape(config);
  const residualLevels = config.quantizer.kind === 'rvq' ? config.quantizer.numQuantizers : 0;
  let usageCounts: number[] | null = null;

  const trainableVariables = () => [
    ...[...encoder.trainableWeights, ...decoder.trainableWeights].map((weight) => weight.read() as tf.Variable),
    ...quantizer.trainableVariables,
  ];
  const encodeImages = (x: tf.Tensor) => tf.tidy(() => quantizer.encode(encoder.apply(x) as tf.Tensor) as tf.Tensor3D);
  const reconstructImages = (x: tf.Tensor) =>
    tf.tidy(() => decoder.apply(quantizer.lookup(quantizer.encode(encoder.apply(x) as tf.Tensor))) as tf.Tensor4D);

  const vqvae: VqVae = {
    config,
    lossUnit: 'MSE / data variance + VQ losses',
    encoder,
    quantizerModel,
    decoder,
    quantizer,
    latentShape: grid,
    encodeContinuous(x) {
      checkImages('vqvae.encodeContinuous', 'x', x, config);
      return tf.tidy(() => encoder.apply(x) as tf.Tensor4D);
    },
    encode(x) {
      checkImages('vqvae.encode', 'x', x, config);
      return encodeImages(x);
    },
    decode(indices) {
      checkCodeMap('vqvae.decode', indices, grid, config.codebookSize, residualLevels);
      return tf.tidy(() => decoder.apply(quantizer.lookup(indices)) as tf.Tensor4D);
    },
    reconstruct(x) {
      checkImages('vqvae.reconstruct', 'x', x, config);
      return reconstructImages(x);
    },
    trainStep(optimizer, batch, options = {}) {
      const fn = 'vqvae.trainStep';
      checkOptimizer(fn, optimizer);
      checkBatch(fn, batch, options, config);
      if (config.quantizer.kmeansInit && !quantizer.initialized) {
        tf.tidy(() => quantizer.initialize(encoder.apply(batch.x) as tf.Tensor));
      }
      let kept: ReturnType<typeof vqVaeForward> | undefined;
      const loss = optimizer.minimize(
        () => {
          const result = vqVaeForward(config, networks, quantizer, batch, options.beta, true);
          // keep: minimize runs this closure in its own tidy; the parts are reported, z_e and the indices feed the
          // quantiser's update after the gradient step. Disposed below or by the caller.
          const { loss: minimised, ...reported } = result.parts;
          for (const part of Object.values(reported)) tf.keep(part);
          kept = { parts: result.parts, zE: tf.keep(result.zE), indices: tf.keep(result.indices) };
          return minimised;
        },
        true,
        trainableVariables(),
      ) as tf.Scalar;
      const { parts, zE, indices } = kept as NonNullable<typeof kept>;
      try {
        const { restarted } = quantizer.update(zE, indices);
        const restartedFloat = tf.tidy(() => tf.cast(restarted, 'float32') as tf.Scalar);
        restarted.dispose();
        return { ...parts, loss, restarted: restartedFloat };
      } finally {
        zE.dispose();
        indices.dispose();
      }
    },
    lossParts(batch, options = {}) {
      checkBatch('vqvae.lossParts', batch, options, config);
      return tf.tidy(() => vqVaeForward(config, networks, quantizer, batch, options.beta, false).parts);
    },
    save: (io) => saveVqVae(vqvae, io),
    restore: (manifest, io) => restoreVqVae(vqvae, manifest, io),
    async epochMetrics(sample) {
      checkImages('vqvae.epochMetrics', 'sample.x', sample?.x, config);
      // residual VQ: the use of the first level's codes
      const firstLevel = (x: tf.Tensor) =>
        residualLevels === 0 ? encodeImages(x) : tf.tidy(() => tf.gather(encodeImages(x), 0, 3));
      const report = await measureCodeUsage(firstLevel, sample.x, config.codebookSize);
      usageCounts = report.counts;
      return { code_perplexity: report.perplexity, code_usage: report.usage };
    },
    async previews(sample, options) {
      const fn = 'vqvae.previews';
      checkImages(fn, 'sample.x', sample?.x, config);
      const originals = sample.target ?? sample.x;
      checkImages(fn, 'sample.target', originals, config);
      const images = tf.tidy(() => {
        const reconstructions = reconstructImages(sample.x);
        return reconstructionRows(originals as tf.Tensor4D, reconstructions);
      });
      const previews: Record<string, Preview> = { reconstructions: { images, columns: 8 } };
      if (usageCounts) {
        previews['codebook-usage'] = { counts: [...usageCounts], title: `code usage, epoch ${options.epoch}` };
      }
      return previews;
    },
    dispose() {
      encoder.dispose();
      quantizerModel.dispose();
      decoder.dispose();
    },
  };
  return vqvae;
}
