// VQ-VAE (van den Oord et al. 2017): convolutional encoder → vector quantiser → convolutional decoder.
import * as tf from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertNumberInRange,
  assertSameShape,
  assertShape,
  assertValueRange,
  ConfigError,
  describeValue,
  formatExpected,
  mse,
} from '@vaejs/core';
import type { VectorQuantizer } from './vector-quantizer';
import { resolveVqVaeConfig, type VqVaeConfig, type VqVaeConfigInput } from './vqvae-config';
import { buildVqVaeNetworks, findQuantizerLayer, latentShape, type VqVaeNetworks } from './vqvae-networks';

/** A training or evaluation batch: images, and optionally a different target (default: x). */
export interface VqVaeBatch {
  /** float32 [n, H, W, C] in [0, 1]. */
  x: tf.Tensor;
  /** float32 [n, H, W, C]; default x. */
  target?: tf.Tensor;
}

/** Per-step options. */
export interface VqVaeStepOptions {
  /** Commitment weight for this step (default config.quantizer.beta). */
  beta?: number;
}

/** Named loss parts, float32 scalars (batch means); the caller disposes them. */
export type VqVaeLossParts = {
  /** What is minimised: `reconstructionMse / dataVariance + codebook + beta·commitment` (no codebook term with EMA). */
  loss: tf.Scalar;
  /** Squared error summed over the pixels of an example, mean over the batch. */
  reconstruction: tf.Scalar;
  /** Squared error per pixel (= reconstruction / (H·W·C)). */
  reconstructionMse: tf.Scalar;
  /** Codebook loss `mean ||sg(z_e) − z_q||²` (reported with EMA too, not minimised then). */
  codebook: tf.Scalar;
  /** Commitment loss `mean ||z_e − sg(z_q)||²`, unweighted. */
  commitment: tf.Scalar;
  /** Perplexity of the batch's codes, in [1, K]. */
  perplexity: tf.Scalar;
  /** Share of codes used by the batch, in [0, 1]. */
  usage: tf.Scalar;
};

/** What `trainStep` returns: the loss parts plus `restarted`, the number of dead codes restarted (float32). */
export type VqVaeStepResult = VqVaeLossParts & { restarted: tf.Scalar };

/** A VQ-VAE: its three LayersModels, the quantiser over the codebook, and the operations. */
export interface VqVae extends VqVaeNetworks {
  readonly config: Readonly<VqVaeConfig>;
  /** The quantiser (variables shared with `quantizerModel`). */
  readonly quantizer: VectorQuantizer;
  /** [h, w, D] of the code map. */
  readonly latentShape: [number, number, number];
  /** Encoder output z_e. @param x float32 [n, H, W, C] @returns float32 [n, h, w, D] */
  encodeContinuous(x: tf.Tensor): tf.Tensor4D;
  /** Code map. @param x float32 [n, H, W, C] @returns int32 [n, h, w] */
  encode(x: tf.Tensor): tf.Tensor3D;
  /** Images from a code map. @param indices int32 [n, h, w] in [0, K) @returns float32 [n, H, W, C] */
  decode(indices: tf.Tensor): tf.Tensor4D;
  /** decode(encode(x)). @param x float32 [n, H, W, C] @returns float32 [n, H, W, C] */
  reconstruct(x: tf.Tensor): tf.Tensor4D;
  /**
   * One optimisation step (one `optimizer.minimize` over encoder, decoder and — unless EMA — codebook), then the
   * quantiser's `update` (EMA, restarts). Runs the k-means initialisation first when `kmeansInit` and not done yet.
   */
  trainStep(optimizer: tf.Optimizer, batch: VqVaeBatch, options?: VqVaeStepOptions): VqVaeStepResult;
  /** The same parts as `trainStep`, without updating anything (test loss). */
  lossParts(batch: VqVaeBatch, options?: VqVaeStepOptions): VqVaeLossParts;
  /** Frees every weight, codebook and EMA state. */
  dispose(): void;
}

/**
 * Creates a VQ-VAE. Defaults: the Keras example's MNIST model (28×28×1 → 7×7 codes of D = 16, K = 128).
 * @example
 * const vqvae = createVqVae({ codebookSize: 64, quantizer: { ema: true } });
 * const codes = vqvae.encode(images); // int32 [n, 7, 7]
 * const decoded = vqvae.decode(codes); // float32 [n, 28, 28, 1]
 */
export function createVqVae(config: VqVaeConfigInput = {}): VqVae {
  const resolved = resolveVqVaeConfig(config);
  return assembleVqVae(resolved, buildVqVaeNetworks(resolved));
}

/** Wraps built or loaded networks into a VqVae. Internal (used by createVqVae and loadVqVae). */
export function assembleVqVae(config: Readonly<VqVaeConfig>, networks: VqVaeNetworks): VqVae {
  const { encoder, quantizerModel, decoder } = networks;
  const quantizer = findQuantizerLayer(quantizerModel).quantizer;
  const grid = latentShape(config);
  const [height, width, channels] = config.inputShape;
  const pixels = height * width * channels;
  const imageShape = [null, height, width, channels];

  const checkImages = (fn: string, x: tf.Tensor, argument = 'x') => {
    assertDtype(fn, argument, x, 'float32');
    assertShape(fn, argument, x, imageShape, 'config.inputShape');
  };
  const checkBatch = (fn: string, batch: VqVaeBatch, options: VqVaeStepOptions) => {
    if (typeof batch !== 'object' || batch === null) {
      throw new ConfigError(formatExpected(fn, 'batch', 'an object { x, target? }', describeValue(batch)));
    }
    checkImages(fn, batch.x, 'batch.x');
    if (batch.target !== undefined) assertSameShape(fn, 'batch.x', batch.x, 'batch.target', batch.target);
    if (options.beta !== undefined) assertNumberInRange(fn, 'options.beta', options.beta, 0, Number.MAX_VALUE);
  };

  /** Forward pass and loss parts; also returns z_e and the indices for the quantiser's update. */
  const forward = (batch: VqVaeBatch, options: VqVaeStepOptions, training: boolean) => {
    const zE = encoder.apply(batch.x, { training }) as tf.Tensor;
    const quantized = quantizer.quantize(zE);
    const output = decoder.apply(quantized.output, { training }) as tf.Tensor;
    const reconstruction = tf.mean(mse(batch.target ?? batch.x, output)) as tf.Scalar;
    const reconstructionMse = tf.div(reconstruction, pixels) as tf.Scalar;
    const beta = options.beta ?? config.quantizer.beta;
    const vqLoss = config.quantizer.ema
      ? tf.mul(quantized.commitmentLoss, beta)
      : tf.add(quantized.codebookLoss, tf.mul(quantized.commitmentLoss, beta));
    const parts: VqVaeLossParts = {
      loss: tf.add(tf.div(reconstructionMse, config.dataVariance), vqLoss) as tf.Scalar,
      reconstruction,
      reconstructionMse,
      codebook: quantized.codebookLoss,
      commitment: quantized.commitmentLoss,
      perplexity: quantized.perplexity,
      usage: quantized.usage,
    };
    return { parts, zE, indices: quantized.indices };
  };

  const trainableVariables = () => [
    ...[...encoder.trainableWeights, ...decoder.trainableWeights].map((weight) => weight.read() as tf.Variable),
    ...quantizer.trainableVariables,
  ];

  return {
    config,
    encoder,
    quantizerModel,
    decoder,
    quantizer,
    latentShape: grid,
    encodeContinuous(x) {
      checkImages('vqvae.encodeContinuous', x);
      return tf.tidy(() => encoder.apply(x) as tf.Tensor4D);
    },
    encode(x) {
      checkImages('vqvae.encode', x);
      return tf.tidy(() => quantizer.encode(encoder.apply(x) as tf.Tensor) as tf.Tensor3D);
    },
    decode(indices) {
      const fn = 'vqvae.decode';
      assertDtype(fn, 'indices', indices, 'int32');
      assertShape(fn, 'indices', indices, [null, grid[0], grid[1]], 'latent grid [n, h, w]');
      assertValueRange(fn, 'indices', indices, 0, config.codebookSize - 1);
      return tf.tidy(() => decoder.apply(quantizer.lookup(indices)) as tf.Tensor4D);
    },
    reconstruct(x) {
      checkImages('vqvae.reconstruct', x);
      return tf.tidy(() => {
        const codes = quantizer.lookup(quantizer.encode(encoder.apply(x) as tf.Tensor));
        return decoder.apply(codes) as tf.Tensor4D;
      });
    },
    trainStep(optimizer, batch, options = {}) {
      const fn = 'vqvae.trainStep';
      if (typeof (optimizer as Partial<tf.Optimizer> | null)?.minimize !== 'function') {
        throw new ConfigError(formatExpected(fn, 'optimizer', 'a tf.Optimizer', describeValue(optimizer)));
      }
      checkBatch(fn, batch, options);
      if (config.quantizer.kmeansInit && !quantizer.initialized) {
        tf.tidy(() => quantizer.initialize(encoder.apply(batch.x) as tf.Tensor));
      }
      let kept: ReturnType<typeof forward> | undefined;
      const loss = optimizer.minimize(
        () => {
          const result = forward(batch, options, true);
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
      checkBatch('vqvae.lossParts', batch, options);
      return tf.tidy(() => forward(batch, options, false).parts);
    },
    dispose() {
      encoder.dispose();
      quantizerModel.dispose();
      decoder.dispose();
    },
  };
}
