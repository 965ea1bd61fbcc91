import * as tfl from '@tensorflow/tfjs-layers';
import type { ResolvedVqVaeConfig } from './config';
import { FiniteScalarQuantizerLayer, LookupFreeQuantizerLayer } from './fixed-codebook-layer';
import type { AnyQuantizer } from './quantizer-kinds';
import { ResidualQuantizerLayer } from './residual-vq-layer';
import { VectorQuantizerLayer } from './vector-quantizer-layer';

/** The three LayersModels of a VQ-VAE. */
export interface VqVaeNetworks {
  /** x [n, H, W, C] → z_e [n, h, w, D]. */
  encoder: tfl.LayersModel;
  /** z_e [n, h, w, D] → straight-through z_q [n, h, w, D]; holds the codebook and EMA state. */
  quantizerModel: tfl.LayersModel;
  /** z_q [n, h, w, D] → x̂ [n, H, W, C]. */
  decoder: tfl.LayersModel;
}

/** [h, w, D] of the code map for a config. */
export function latentShape(
  config: Pick<ResolvedVqVaeConfig, 'encoderFilters' | 'inputShape' | 'dim'>,
): [number, number, number] {
  const factor = 2 ** config.encoderFilters.length;
  const [height, width] = config.inputShape;
  return [height / factor, width / factor, config.dim];
}

/**
 * Builds encoder (stride-2 convs, then a 1×1 conv to D), quantiser model and mirrored decoder (with
 * `codeProjection`, a linear 1×1 conv first; stride-2 transposed convs, then a stride-1 transposed conv to the image
 * channels), with seeded Glorot initialisation. Layers have fixed names (`enc_conv_0`, …, `enc_codes`,
 * `vector_quantizer`, `dec_project`, `dec_deconv_0`, …, `dec_output`), so that the weights a
 * model saves name the same variables in any model built from the same config.
 */
export function buildVqVaeNetworks(config: ResolvedVqVaeConfig): VqVaeNetworks {
  const { inputShape, kernelSize, seed } = config;
  const grid = latentShape(config);
  let layerSeed = seed;
  const kernelInitializer = () => tfl.initializers.glorotUniform({ seed: layerSeed++ });

  const image = tfl.input({ shape: [...inputShape] });
  let hidden = image;
  for (const [i, filters] of config.encoderFilters.entries()) {
    hidden = tfl.layers
      .conv2d({
        name: `enc_conv_${i}`,
        filters,
        kernelSize,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: kernelInitializer(),
      })
      .apply(hidden) as tfl.SymbolicTensor;
  }
  const codes = tfl.layers
    .conv2d({ name: 'enc_codes', filters: config.dim, kernelSize: 1, kernelInitializer: kernelInitializer() })
    .apply(hidden) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: image, outputs: codes, name: 'vqvae_encoder' });

  const latent = tfl.input({ shape: grid });
  const quantizerLayer = buildQuantizerLayer(config);
  const quantizerModel = tfl.model({
    inputs: latent,
    outputs: quantizerLayer.apply(latent) as tfl.SymbolicTensor,
    name: 'vqvae_quantizer',
  });

  const decoderInput = tfl.input({ shape: grid });
  let upsampled = decoderInput;
  if (config.codeProjection > 0) {
    // linear, so (when not narrower than D) it adds almost no function to the decoder's; it trains better (see config.codeProjection)
    upsampled = tfl.layers
      .conv2d({
        name: 'dec_project',
        filters: config.codeProjection,
        kernelSize: 1,
        kernelInitializer: kernelInitializer(),
      })
      .apply(upsampled) as tfl.SymbolicTensor;
  }
  for (const [i, filters] of config.decoderFilters.entries()) {
    upsampled = tfl.layers
      .conv2dTranspose({
        name: `dec_deconv_${i}`,
        filters,
        kernelSize,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: kernelInitializer(),
        ...(i === 0 ? firstDecoderBias(config) : {}),
      })
      .apply(upsampled) as tfl.SymbolicTensor;
  }
  const output = tfl.layers
    .conv2dTranspose({
      name: 'dec_output',
      filters: inputShape[2],
      kernelSize,
      strides: 1,
      padding: 'same',
      activation: config.outputActivation,
      kernelInitializer: kernelInitializer(),
      ...(config.dataMean === null
        ? {}
        : { biasInitializer: tfl.initializers.constant({ value: outputBias(config) }) }),
    })
    .apply(upsampled) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: decoderInput, outputs: output, name: 'vqvae_decoder' });
  return { encoder, quantizerModel, decoder };
}

/** The initial bias of FSQ's first transposed convolution, `dec_deconv_0` (see {@link firstDecoderBias}). */
export const FSQ_FIRST_DECODER_BIAS = 1e-3;

/**
 * The bias initialiser of the decoder's first transposed convolution (`dec_deconv_0`, after the linear
 * `dec_project` when there is one). Zero (Keras's default) for every quantiser but FSQ. An FSQ encoder's
 * first outputs are small, so nearly every position rounds to the centre code, 0 on every channel: zero-bias ReLUs
 * then sit at their kink, pass no gradient to the encoder, and the model stays at the mean image (seen with
 * `levels: [5, 5, 5]`). FSQ's first transposed convolution starts its biases at a small positive constant
 * ({@link FSQ_FIRST_DECODER_BIAS}), so that every unit passes a gradient from the first step. Larger starts (0.01, 0.1,
 * or PyTorch's uniform ±1/√fan-in) left more runs with a channel saturated in `tanh` on Fashion-MNIST.
 */
export function firstDecoderBias(config: Pick<ResolvedVqVaeConfig, 'quantizer'>): {
  biasInitializer?: ReturnType<typeof tfl.initializers.constant>;
} {
  if (config.quantizer.kind !== 'fsq') return {};
  return { biasInitializer: tfl.initializers.constant({ value: FSQ_FIRST_DECODER_BIAS }) };
}

/** The output layer's initial bias: the data mean through the inverse of the output activation (see `dataMean`). */
export function outputBias(config: Pick<ResolvedVqVaeConfig, 'dataMean' | 'outputActivation'>): number {
  const mean = config.dataMean ?? 0;
  if (config.outputActivation === 'linear') return mean;
  const p = Math.min(Math.max(mean, 0.001), 0.999);
  return Math.log(p / (1 - p));
}

type QuantizerLayer =
  | VectorQuantizerLayer
  | FiniteScalarQuantizerLayer
  | LookupFreeQuantizerLayer
  | ResidualQuantizerLayer;

/** The quantiser layer of the config's kind (named `vector_quantizer`, `fsq_quantizer`, `lfq_quantizer` or `residual_quantizer`). */
function buildQuantizerLayer(config: ResolvedVqVaeConfig): QuantizerLayer {
  const { kind, levels, entropyWeight, diversity, temperature, ...rest } = config.quantizer;
  const { numQuantizers, sharedCodebook, quantizerDropout, ...classic } = rest;
  const seed = config.seed;
  const sizes = { dim: config.dim, codebookSize: config.codebookSize, seed };
  if (kind === 'rvq') {
    const residual = { numQuantizers, sharedCodebook, quantizerDropout };
    return new ResidualQuantizerLayer({ name: 'residual_quantizer', quantizer: { ...classic, ...sizes }, ...residual });
  }
  if (kind === 'fsq') return new FiniteScalarQuantizerLayer({ name: 'fsq_quantizer', levels, seed });
  if (kind === 'lfq') {
    const lfq = { entropyWeight, diversity, temperature, beta: classic.beta };
    return new LookupFreeQuantizerLayer({ name: 'lfq_quantizer', bits: config.dim, ...lfq, seed });
  }
  return new VectorQuantizerLayer({
    name: 'vector_quantizer',
    quantizer: { ...classic, ...sizes },
  });
}

/** The quantiser layer of a quantiser model (built or loaded). @throws Error when there is none. */
export function findQuantizerLayer(model: tfl.LayersModel): { quantizer: AnyQuantizer } {
  const layer = model.layers.find(
    (candidate) =>
      candidate instanceof VectorQuantizerLayer ||
      candidate instanceof FiniteScalarQuantizerLayer ||
      candidate instanceof LookupFreeQuantizerLayer ||
      candidate instanceof ResidualQuantizerLayer,
  );
  if (!layer) throw new Error('findQuantizerLayer: expected a model with a quantiser layer, got none.');
  return layer as QuantizerLayer;
}
