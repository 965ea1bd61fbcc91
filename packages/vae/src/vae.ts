import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  assertPositiveInt,
  gaussianSample,
  type PartIO,
  type Preview,
  type TrainableModel,
  type TrainBatch,
  tfSeed,
} from '@vaejs/core';
import { loadVaeParts, restoreVaeParts, saveVaeParts, type VaeManifest } from './checkpoint';
import { isVariational, type ResolvedVaeConfig, resolveVaeConfig, type VaeConfig } from './config';
import { evaluateVae, type VaeEvaluateOptions, type VaeEvaluation } from './evaluate';
import { learnedLogVar, outputToImage, runDecoder, runEncoder, trainableVariables, type VaeParts } from './forward';
import { asSingleImage, checkImages, checkLabelPair, checkLatents, conditioningOneHot, type VaeLabels } from './inputs';
import { type LatentGridOptions, latentGridPoints } from './latent-grid';
import { computeLossParts, trainStep, type VaeBatch, type VaeLossParts, type VaeStepOptions } from './loss';
import { buildDecoder, buildEncoder } from './network';
import { vaePreviews } from './previews';

/** Result of `encode`: the posterior mean and log-variance (`logVar` is `null` for `'ae'`/`'dae'`, whose code is `mean`). */
export interface VaeEncoding {
  /** float32 `[batch, latentDim]` */
  mean: tf.Tensor2D;
  /** float32 `[batch, latentDim]`, or `null` for the deterministic autoencoders */
  logVar: tf.Tensor2D | null;
}

/**
 * An autoencoder of the family built by {@link createVae} or loaded by {@link loadVae}. It is a `TrainableModel` of
 * `@vaejs/core`: `@vaejs/training`'s `fit` trains, checkpoints and resumes it as it is.
 */
export interface Vae extends TrainableModel {
  /** The resolved config, frozen. */
  readonly config: ResolvedVaeConfig;
  /** x float32 `[batch, h, w, c]` (+ `label_one_hot` `[batch, numClasses]`) → `[z_mean, z_log_var]` (or `z`). */
  readonly encoder: tfl.LayersModel;
  /** z float32 `[batch, latentDim]` (+ `label_one_hot`) → logits (Bernoulli) or mean image (Gaussian) `[batch, h, w, c]`. */
  readonly decoder: tfl.LayersModel;
  /** True for `'vae'`, `'beta-vae'`, `'cvae'`. */
  readonly variational: boolean;
  /** Every trainable variable (encoder, decoder, learned log-variance). Owned by the model. */
  trainableVariables(): tf.Variable[];
  /** The learned log σ² (`[1]` or `[h, w, c]`) of `'gaussian-learned'`, else `null`. Owned by the model. */
  logVariance(): tf.Tensor | null;
  /** x float32 `[batch, h, w, c]` → posterior parameters. Labels int32 `[batch]` for `'cvae'`. */
  encode(x: tf.Tensor, labels?: tf.Tensor): VaeEncoding;
  /** z = mean + exp(logVar/2)·ε, float32 `[batch, latentDim]`; seeded. */
  sampleZ(mean: tf.Tensor, logVar: tf.Tensor, seed?: number): tf.Tensor2D;
  /** z float32 `[batch, latentDim]` → images float32 `[batch, h, w, c]` in [0, 1] (sigmoid of the logits for Bernoulli). */
  decode(z: tf.Tensor, labels?: VaeLabels): tf.Tensor4D;
  /** The decoder output as is: logits for Bernoulli, the mean for the Gaussians. `[batch, h, w, c]`. */
  decodeRaw(z: tf.Tensor, labels?: VaeLabels): tf.Tensor4D;
  /** decode(encode(x).mean), or of a posterior sample with `sample: true`. `[batch, h, w, c]`. */
  reconstruct(x: tf.Tensor, options?: { labels?: tf.Tensor; sample?: boolean; seed?: number }): tf.Tensor4D;
  /** Decodes n codes drawn from the prior N(0, I) with `seed`. `[n, h, w, c]`. */
  generate(n: number, options?: { seed?: number; labels?: VaeLabels }): tf.Tensor4D;
  /**
   * Decodes `steps` codes on the segment from encode(a).mean to encode(b).mean (t = i / (steps − 1)).
   * a, b float32 `[1, h, w, c]` (or `[h, w, c]`). For `'cvae'`, `labels: [labelA, labelB]` encode a and b, and the
   * decoder's one-hot moves linearly from labelA to labelB. Returns `[steps, h, w, c]`.
   */
  interpolate(a: tf.Tensor, b: tf.Tensor, steps: number, options?: { labels?: readonly [number, number] }): tf.Tensor4D;
  /** Decodes {@link latentGridPoints}: `[size * size, h, w, c]`, row-major (see there). `label` for `'cvae'`. */
  latentGrid(size: number, options?: LatentGridOptions & { label?: number }): tf.Tensor4D;
  /** Loss parts for a batch without updating (test loss). */
  lossParts(batch: VaeBatch, options?: VaeStepOptions): VaeLossParts;
  /** One optimisation step; returns the loss parts (scalars the caller disposes). */
  trainStep(optimizer: tf.Optimizer, batch: VaeBatch, options?: VaeStepOptions): VaeLossParts;
  /** ELBO parts and the IWAE log-likelihood estimate on a (test) set, as numbers. */
  evaluate(x: tf.Tensor, options?: VaeEvaluateOptions): Promise<VaeEvaluation>;
  /**
   * Writes the encoder and decoder through `io(part)` (standard tfjs LayersModel format) and returns the manifest to
   * store as `vae.json`; the same as `saveVae(vae, io)`.
   */
  save(io: PartIO): Promise<VaeManifest>;
  /**
   * Sets the weights of a checkpoint written by `save` into this model (no new model): the manifest's config must
   * equal this one's but for `seed`. Afterwards the model computes bit for bit what the saved one did.
   * @throws CheckpointError for another kind or version, another config (naming the first differing field), or a
   * part that cannot be read.
   */
  restore(manifest: unknown, io: PartIO): Promise<void>;
  /**
   * Pictures after an epoch from a sample of test items (`sample.target` = clean images for a denoising AE):
   * `reconstructions` (rows of 8: originals, corrupted inputs for a DAE, reconstructions), for the variational kinds
   * `samples` (64 draws from the prior with `seed`) and, with `latentDim` 2, `latent-grid` (20×20). Caller disposes.
   */
  previews(sample: TrainBatch, options: { seed: number; epoch: number }): Promise<Record<string, Preview>>;
  /** Disposes the encoder and decoder weights. */
  dispose(): void;
}

/**
 * Builds a model of the autoencoder family: plain AE, denoising AE, VAE (Kingma & Welling 2014), β-VAE (Higgins
 * et al. 2017) or conditional VAE (Sohn et al. 2015), with MLP or convolutional encoder and decoder.
 * @example
 * const vae = createVae({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp', hidden: 400 }); // PyTorch examples/vae
 * const { mean, logVar } = vae.encode(images); // [n, 20], [n, 20]
 */
export function createVae(config: VaeConfig): Vae {
  const resolved = resolveVaeConfig(config, 'createVae');
  return assembleVae({ config: resolved, encoder: buildEncoder(resolved), decoder: buildDecoder(resolved) });
}

/**
 * Loads a model saved by {@link saveVae} (or `vae.save`): validates the manifest, builds the networks its config
 * describes and sets the weights of each part (`io(part)` is an IOHandler or a URL), checked against them.
 * @throws CheckpointError for a manifest of another kind, another version, an invalid config, an unreadable part or
 * weights (and a stored topology) that are not those of the config's networks.
 * @example
 * const vae = await loadVae(await (await fetch('run/vae.json')).json(), (part) => `run/${part}/model.json`);
 */
export async function loadVae(manifest: unknown, io: (part: string) => tf.io.IOHandler | string): Promise<Vae> {
  return assembleVae(await loadVaeParts('loadVae', manifest, io));
}

/**
 * Saves the encoder and decoder through `io(part)` in the standard tfjs LayersModel format (model.json + weights;
 * the learned log-variance is a decoder weight) and returns the manifest for the caller to store (as `vae.json`).
 * @example
 * const manifest = await saveVae(vae, (part) => tf.io.withSaveHandler(async (artifacts) => store(part, artifacts)));
 */
export function saveVae(vae: Vae, io: PartIO): Promise<VaeManifest> {
  return saveVaeParts('saveVae', vae, io);
}

/** Wraps built or loaded LayersModels in the {@link Vae} interface. */
export function assembleVae(parts: VaeParts): Vae {
  const { config } = parts;
  const latentDim = config.latentDim;

  function decodeWith(fn: string, z: tf.Tensor, labels: VaeLabels | undefined, asImage: boolean): tf.Tensor4D {
    checkLatents(fn, 'z', z, config);
    const oneHot = conditioningOneHot(fn, labels, z.shape[0], config, true);
    try {
      return tf.tidy(() => {
        const output = runDecoder(parts, z, oneHot);
        return asImage ? outputToImage(config, output) : output;
      });
    } finally {
      oneHot?.dispose();
    }
  }

  function encodeWith(fn: string, x: tf.Tensor, labels: tf.Tensor | undefined): VaeEncoding {
    checkImages(fn, 'x', x, config);
    const oneHot = conditioningOneHot(fn, labels, x.shape[0], config, true);
    try {
      return tf.tidy(
        () => runEncoder(parts, x, oneHot) as unknown as tf.TensorContainerObject,
      ) as unknown as VaeEncoding;
    } finally {
      oneHot?.dispose();
    }
  }

  const vae: Vae = {
    config,
    encoder: parts.encoder,
    decoder: parts.decoder,
    variational: isVariational(config.kind),
    // a fixed-variance Gaussian's loss leaves out its constant ½·D·log π (evaluate adds it back)
    lossUnit: config.likelihood === 'gaussian' ? 'nats per image, less a constant' : 'nats per image',
    trainableVariables: () => trainableVariables(parts),
    logVariance: () => learnedLogVar(parts),
    encode: (x, labels) => encodeWith('vae.encode', x, labels),
    sampleZ(mean, logVar, seed) {
      checkLatents('vae.sampleZ', 'mean', mean, config);
      checkLatents('vae.sampleZ', 'logVar', logVar, config);
      return gaussianSample(mean, logVar, seed) as tf.Tensor2D;
    },
    decode: (z, labels) => decodeWith('vae.decode', z, labels, true),
    decodeRaw: (z, labels) => decodeWith('vae.decodeRaw', z, labels, false),
    reconstruct(x, options = {}) {
      const { mean, logVar } = encodeWith('vae.reconstruct', x, options.labels);
      try {
        const z =
          options.sample && logVar ? tf.tidy(() => gaussianSample(mean, logVar, options.seed) as tf.Tensor2D) : mean;
        const images = decodeWith('vae.reconstruct', z, options.labels, true);
        if (z !== mean) z.dispose();
        return images;
      } finally {
        tf.dispose([mean, ...(logVar ? [logVar] : [])]);
      }
    },
    generate(n, options = {}) {
      assertPositiveInt('vae.generate', 'n', n);
      const z = tf.randomNormal(
        [n, latentDim],
        0,
        1,
        'float32',
        options.seed === undefined ? undefined : tfSeed(options.seed),
      ) as tf.Tensor2D;
      try {
        return decodeWith('vae.generate', z, options.labels, true);
      } finally {
        z.dispose();
      }
    },
    interpolate(a, b, steps, options = {}) {
      const fn = 'vae.interpolate';
      assertPositiveInt(fn, 'steps', steps, 2);
      const [labelA, labelB] = config.kind === 'cvae' ? checkLabelPair(fn, options.labels, config) : [0, 0];
      const pair = tf.tidy(
        () => tf.concat([asSingleImage(fn, 'a', a, config), asSingleImage(fn, 'b', b, config)]) as tf.Tensor4D,
      );
      const labels = config.kind === 'cvae' ? tf.tensor1d([labelA, labelB], 'int32') : undefined;
      const { mean, logVar } = encodeWith(fn, pair, labels);
      try {
        return tf.tidy(() => {
          const t = tf.reshape(tf.linspace(0, 1, steps), [steps, 1]);
          const oneMinusT = tf.sub(1, t);
          const [meanA, meanB] = tf.split(mean, 2);
          const z = tf.add(tf.mul(oneMinusT, meanA as tf.Tensor), tf.mul(t, meanB as tf.Tensor)) as tf.Tensor2D;
          const oneHot = labels
            ? (tf.add(
                tf.mul(oneMinusT, tf.oneHot(tf.fill([steps], labelA, 'int32') as tf.Tensor1D, config.numClasses)),
                tf.mul(t, tf.oneHot(tf.fill([steps], labelB, 'int32') as tf.Tensor1D, config.numClasses)),
              ) as tf.Tensor2D)
            : null;
          return outputToImage(config, runDecoder(parts, z, oneHot));
        });
      } finally {
        tf.dispose([pair, mean, ...(logVar ? [logVar] : []), ...(labels ? [labels] : [])]);
      }
    },
    latentGrid(size, options = {}) {
      const z = latentGridPoints(size, latentDim, options);
      try {
        return decodeWith('vae.latentGrid', z, options.label, true);
      } finally {
        z.dispose();
      }
    },
    lossParts: (batch, options) => computeLossParts(parts, batch, options),
    trainStep: (optimizer, batch, options) => trainStep(parts, optimizer, batch, options),
    evaluate: (x, options) => evaluateVae(parts, x, options),
    save: (io) => saveVaeParts('vae.save', parts, io),
    restore: (manifest, io) => restoreVaeParts('vae.restore', parts, manifest, io),
    previews: (sample, options) => vaePreviews(vae, sample, options),
    dispose() {
      parts.encoder.dispose();
      parts.decoder.dispose();
    },
  };
  return Object.freeze(vae);
}
