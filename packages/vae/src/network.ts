import * as tfl from '@tensorflow/tfjs-layers';
import { isVariational, type ResolvedVaeConfig } from './config';
import { convDecoderBody, convEncoderBody } from './conv';
import { createInitializers, initializeBiases } from './initializers';
import { LearnedLogVariance } from './learned-log-variance';
import { mlpDecoderBody, mlpEncoderBody } from './mlp';

/** Layer names the operations and the browser demo rely on. */
export const LAYER_NAMES = Object.freeze({
  image: 'x',
  label: 'label_one_hot',
  latent: 'z',
  mean: 'z_mean',
  logVar: 'z_log_var',
  logVariance: 'log_variance',
});

/**
 * Builds the encoder: inputs `x` float32 `[batch, h, w, c]` (and `label_one_hot` float32 `[batch, numClasses]` for
 * `'cvae'`); outputs `[z_mean, z_log_var]`, each float32 `[batch, latentDim]`, for the variational kinds, or `z`
 * float32 `[batch, latentDim]` for `'ae'`/`'dae'`.
 */
export function buildEncoder(config: ResolvedVaeConfig): tfl.LayersModel {
  const init = createInitializers(config.seed * 1000, config.init);
  const image = tfl.input({ shape: [...config.inputShape], name: LAYER_NAMES.image });
  const label = config.kind === 'cvae' ? tfl.input({ shape: [config.numClasses], name: LAYER_NAMES.label }) : null;
  const features =
    config.arch === 'mlp' ? mlpEncoderBody(image, label, config, init) : convEncoderBody(image, label, config, init);
  const head = (name: string) =>
    tfl.layers
      .dense({ units: config.latentDim, name, kernelInitializer: init.kernel() })
      .apply(features) as tfl.SymbolicTensor;
  const outputs = isVariational(config.kind)
    ? [head(LAYER_NAMES.mean), head(LAYER_NAMES.logVar)]
    : head(LAYER_NAMES.latent);
  const encoder = tfl.model({ inputs: label ? [image, label] : image, outputs, name: 'encoder' });
  return initializeBiases(encoder, config, config.seed * 1000);
}

/**
 * Builds the decoder: inputs `z` float32 `[batch, latentDim]` (and `label_one_hot` for `'cvae'`, concatenated to
 * z); output float32 `[batch, h, w, c]`: logits for `likelihood: 'bernoulli'`, the mean in [0, 1] (sigmoid) for
 * the Gaussian likelihoods. `'gaussian-learned'` adds the identity layer `log_variance` holding log σ².
 */
export function buildDecoder(config: ResolvedVaeConfig): tfl.LayersModel {
  const init = createInitializers(config.seed * 1000 + 500, config.init);
  const z = tfl.input({ shape: [config.latentDim], name: LAYER_NAMES.latent });
  const label = config.kind === 'cvae' ? tfl.input({ shape: [config.numClasses], name: LAYER_NAMES.label }) : null;
  const joined = label ? (tfl.layers.concatenate({ name: 'z_label' }).apply([z, label]) as tfl.SymbolicTensor) : z;
  const body = config.arch === 'mlp' ? mlpDecoderBody(joined, config, init) : convDecoderBody(joined, config, init);
  let output =
    config.likelihood === 'bernoulli'
      ? body
      : (tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(body) as tfl.SymbolicTensor);
  if (config.likelihood === 'gaussian-learned') {
    const perPixel = config.learnedVariance === 'per-pixel';
    output = new LearnedLogVariance({ perPixel, name: LAYER_NAMES.logVariance }).apply(output) as tfl.SymbolicTensor;
  }
  const decoder = tfl.model({ inputs: label ? [z, label] : z, outputs: output, name: 'decoder' });
  return initializeBiases(decoder, config, config.seed * 1000 + 500);
}
