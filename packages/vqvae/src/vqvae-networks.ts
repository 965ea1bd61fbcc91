import * as tfl from '@tensorflow/tfjs-layers';
import { VectorQuantizerLayer } from './vector-quantizer-layer';
import type { VqVaeConfig } from './vqvae-config';

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
export function latentShape(config: Readonly<VqVaeConfig>): [number, number, number] {
  const factor = 2 ** config.encoderFilters.length;
  const [height, width] = config.inputShape;
  return [height / factor, width / factor, config.dim];
}

/**
 * Builds encoder (stride-2 convs, then a 1×1 conv to D), quantiser model and mirrored decoder (stride-2 transposed
 * convs, then a stride-1 transposed conv to the image channels), with seeded Glorot initialisation.
 */
export function buildVqVaeNetworks(config: Readonly<VqVaeConfig>): VqVaeNetworks {
  const { inputShape, kernelSize, seed } = config;
  const grid = latentShape(config);
  let layerSeed = seed;
  const kernelInitializer = () => tfl.initializers.glorotUniform({ seed: layerSeed++ });

  const image = tfl.input({ shape: [...inputShape] });
  let hidden = image;
  for (const filters of config.encoderFilters) {
    hidden = tfl.layers
      .conv2d({
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
    .conv2d({ filters: config.dim, kernelSize: 1, kernelInitializer: kernelInitializer() })
    .apply(hidden) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: image, outputs: codes, name: 'vqvae_encoder' });

  const latent = tfl.input({ shape: grid });
  const quantizerLayer = new VectorQuantizerLayer({
    quantizer: { ...config.quantizer, dim: config.dim, codebookSize: config.codebookSize, seed },
  });
  const quantizerModel = tfl.model({
    inputs: latent,
    outputs: quantizerLayer.apply(latent) as tfl.SymbolicTensor,
    name: 'vqvae_quantizer',
  });

  const decoderInput = tfl.input({ shape: grid });
  let upsampled = decoderInput;
  for (const filters of config.decoderFilters ?? []) {
    upsampled = tfl.layers
      .conv2dTranspose({
        filters,
        kernelSize,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: kernelInitializer(),
      })
      .apply(upsampled) as tfl.SymbolicTensor;
  }
  const output = tfl.layers
    .conv2dTranspose({
      filters: inputShape[2],
      kernelSize,
      strides: 1,
      padding: 'same',
      activation: config.outputActivation,
      kernelInitializer: kernelInitializer(),
    })
    .apply(upsampled) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: decoderInput, outputs: output, name: 'vqvae_decoder' });
  return { encoder, quantizerModel, decoder };
}

/** The VectorQuantizerLayer of a quantiser model (built or loaded). @throws Error when there is none. */
export function findQuantizerLayer(model: tfl.LayersModel): VectorQuantizerLayer {
  const layer = model.layers.find((candidate) => candidate instanceof VectorQuantizerLayer);
  if (!layer) throw new Error('findQuantizerLayer: expected a model with a VectorQuantizerLayer, got none.');
  return layer as VectorQuantizerLayer;
}
