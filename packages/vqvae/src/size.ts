/**
 * The size of a VQ-VAE from its config, before anything is built: parameters (exactly what `countParams()` of its
 * encoder, quantiser and decoder sums to: the codebook and both EMA buffers count) and the activations one image keeps
 * through a training step, for a memory guard such as the `vaejs` CLI's `--max-memory`. Layer by layer as
 * `network.ts` builds them.
 */
import { type ModelSize, modelSize } from '@vaejs/core';
import { resolveVqVaeConfig, type VqVaeConfig } from './config';

/**
 * Estimates one training step of the VQ-VAE `config` describes on batches of `batchSize` images (defaults merged as
 * `createVqVae` merges them).
 * @throws ConfigError for an invalid config or batch size, as `createVqVae` names them
 * @example estimateVqVaeSize({ inputShape: [28, 28, 1], dim: 16, codebookSize: 128 }, 128).parameters // 52,113
 */
export function estimateVqVaeSize(config: VqVaeConfig, batchSize: number): ModelSize {
  const fn = 'estimateVqVaeSize';
  const { inputShape, dim, codebookSize, encoderFilters, decoderFilters, codeProjection, kernelSize, quantizer } =
    resolveVqVaeConfig(config, fn);
  const fixed = quantizer.kind === 'fsq' || quantizer.kind === 'lfq'; // a fixed codebook, no EMA buffers
  const levels = quantizer.numQuantizers; // residual VQ: a quantiser per level (1 otherwise)
  const sets = quantizer.sharedCodebook ? 1 : levels;
  // VQ's distances to the K codes (at each residual level), LFQ's code probabilities
  const distances = quantizer.kind === 'fsq' ? 0 : codebookSize * levels;
  // a codebook in a lower dimension d: codes of size d, and the maps D → d → D (kernels and biases)
  const codeDim = quantizer.codebookDim || dim;
  const projection = quantizer.codebookDim ? 2 * dim * codeDim + codeDim + dim : 0;
  const [height, width, channels] = inputShape;
  const conv = (size: number, inputs: number, outputs: number) => size * size * inputs * outputs + outputs;
  /** Positions of the feature maps after `halvings` stride-2 layers. */
  const area = (halvings: number) => (height / 2 ** halvings) * (width / 2 ** halvings);
  const layers = encoderFilters.length;
  let parameters = 0;
  let maps = 0;
  let inputs = channels;
  encoderFilters.forEach((outputs, layer) => {
    parameters += conv(kernelSize, inputs, outputs);
    maps += area(layer + 1) * outputs;
    inputs = outputs;
  });
  parameters += conv(1, inputs, dim);
  // the codebook [K, D] and the EMA buffers: cluster sizes [K] and sums [K, D] (per residual level unless shared);
  // FSQ and LFQ: only their fixed codes
  parameters += fixed ? codebookSize * dim : sets * (2 * codebookSize * codeDim + codebookSize) + projection;
  inputs = dim;
  if (codeProjection > 0) {
    // the decoder's linear 1×1 map first
    parameters += conv(1, inputs, codeProjection);
    maps += area(layers) * codeProjection;
    inputs = codeProjection;
  }
  decoderFilters.forEach((outputs, layer) => {
    parameters += conv(kernelSize, inputs, outputs);
    maps += area(layers - 1 - layer) * outputs;
    inputs = outputs;
  });
  parameters += conv(kernelSize, inputs, channels);
  // z_e, z_q and the distances to (LFQ: probabilities of) the K codes at every code position; the image in and out
  const codes = area(layers) * (2 * dim + (quantizer.codebookDim ? 2 * codeDim : 0) + distances);
  return modelSize({ parameters, activationsPerItem: maps + codes + 2 * height * width * channels }, batchSize, fn);
}
