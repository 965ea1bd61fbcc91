import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tfSeed } from '@vaejs/core';
import { isVariational, type ResolvedVaeConfig, type VaeInit } from './config';
import { convDecoderBody, convEncoderBody } from './conv';
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

/** Hands out glorot-uniform initialisers with distinct seeds derived from one base seed. */
export interface Initializers {
  kernel(): ReturnType<typeof tfl.initializers.glorotUniform>;
}

function createInitializers(base: number, init: VaeInit): Initializers {
  let index = 0;
  // PyTorch's default, kaiming_uniform(a=√5), is U(±1/√fan_in): variance scaling with scale 1/3 over fan_in
  const pytorch = (seed: number) =>
    tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
  return {
    kernel: () =>
      init === 'pytorch' ? pytorch(base + index++) : tfl.initializers.glorotUniform({ seed: base + index++ }),
  };
}

/**
 * PyTorch's nn.Linear, nn.Conv2d and nn.ConvTranspose2d also draw their biases from U(±1/√fan_in), fan_in being
 * the product of the kernel's dimensions but the last (in the tfjs layouts [in, out], [kh, kw, in, out] and
 * [kh, kw, out, in]: PyTorch's fan_in of each). tfjs bias initialisers do not see the kernel, so `'pytorch'` sets the
 * biases of the built model here, seeded; Glorot keeps tfjs' zeros.
 */
function initializeBiases(model: tfl.LayersModel, config: ResolvedVaeConfig, base: number): tfl.LayersModel {
  if (config.init !== 'pytorch') return model;
  model.layers.forEach((layer, index) => {
    const weights = layer.getWeights();
    if (weights.length !== 2 || weights[1]!.rank !== 1) return;
    const [kernel, bias] = weights as [tf.Tensor, tf.Tensor];
    const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    const drawn = tf.randomUniform(bias.shape, -bound, bound, 'float32', tfSeed(base + 100 + index));
    layer.setWeights([kernel, drawn]);
    drawn.dispose();
  });
  return model;
}

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
