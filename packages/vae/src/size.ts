/**
 * The size of a VAE from its config, before anything is built: parameters (exactly what `countParams()` of the
 * encoder and decoder sums to) and the activations one image keeps through a training step, for a memory guard such
 * as the `vaejs` CLI's `--max-memory`. Layer by layer as `mlp.ts`, `conv.ts` and `network.ts` build them.
 */
import { type ModelSize, modelSize } from '@vaejs/core';
import { isVariational, type ResolvedVaeConfig, resolveVaeConfig, type VaeConfig } from './config';
import { convSizes } from './conv';

/**
 * Estimates one training step of the VAE `config` describes on batches of `batchSize` images (defaults merged as
 * `createVae` merges them).
 * @throws ConfigError for an invalid config or batch size, as `createVae` names them
 * @example estimateVaeSize({ inputShape: [28, 28, 1], latentDim: 20, arch: 'mlp' }, 128).parameters // 652,824
 */
export function estimateVaeSize(config: VaeConfig, batchSize: number): ModelSize {
  const fn = 'estimateVaeSize';
  const resolved = resolveVaeConfig(config, fn);
  const counts = resolved.arch === 'mlp' ? mlpCounts(resolved) : convCounts(resolved);
  return modelSize(
    { parameters: counts.parameters + logVarianceWeights(resolved), activationsPerItem: counts.activationsPerItem },
    batchSize,
    fn,
  );
}

// helpers

type Counts = Pick<ModelSize, 'parameters' | 'activationsPerItem'>;

/** A dense layer's kernel and bias. */
function dense(inputs: number, units: number): number {
  return inputs * units + units;
}

function mlpCounts(config: ResolvedVaeConfig): Counts {
  const [height, width, channels] = config.inputShape;
  const pixels = height * width * channels;
  const { latentDim, numClasses, hidden } = config;
  let parameters = 0;
  let inputs = pixels + numClasses;
  for (const units of hidden) {
    parameters += dense(inputs, units);
    inputs = units;
  }
  parameters += heads(config) * dense(inputs, latentDim);
  inputs = latentDim + numClasses;
  for (const units of [...hidden].reverse()) {
    parameters += dense(inputs, units);
    inputs = units;
  }
  parameters += dense(inputs, pixels);
  const hiddenUnits = hidden.reduce((sum, units) => sum + units, 0);
  return { parameters, activationsPerItem: 2 * hiddenUnits + 3 * latentDim + 2 * pixels };
}

function convCounts(config: ResolvedVaeConfig): Counts {
  const [height, width, channels] = config.inputShape;
  const { latentDim, numClasses, filters, kernelSize, denseUnits } = config;
  const sizes = convSizes(height, width, filters.length);
  const area = (layer: number) => (sizes[layer] as [number, number])[0] * (sizes[layer] as [number, number])[1];
  const conv = (inputs: number, outputs: number) => kernelSize * kernelSize * inputs * outputs + outputs;
  const deepest = filters[filters.length - 1] as number;
  const flat = area(filters.length) * deepest;
  let parameters = 0;
  let inputs = channels + numClasses;
  for (const outputs of filters) {
    parameters += conv(inputs, outputs);
    inputs = outputs;
  }
  const features = denseUnits > 0 ? denseUnits : flat;
  if (denseUnits > 0) parameters += dense(flat, denseUnits);
  parameters += heads(config) * dense(features, latentDim);
  const joined = latentDim + numClasses;
  if (denseUnits > 0) parameters += dense(joined, denseUnits);
  parameters += dense(denseUnits > 0 ? denseUnits : joined, flat);
  filters.forEach((inputsOfLayer, layer) => {
    parameters += conv(inputsOfLayer, layer === 0 ? channels : (filters[layer - 1] as number));
  });
  const maps = filters.reduce((sum, outputs, layer) => sum + area(layer + 1) * outputs, 0);
  return { parameters, activationsPerItem: 2 * (maps + denseUnits) + 3 * latentDim + 2 * height * width * channels };
}

/** The latent heads: mean and log-variance for the variational kinds, z alone for the plain and denoising AE. */
function heads(config: ResolvedVaeConfig): number {
  return isVariational(config.kind) ? 2 : 1;
}

/** The learned log-variance of `likelihood: 'gaussian-learned'`: one scalar, or one per pixel and channel. */
function logVarianceWeights(config: ResolvedVaeConfig): number {
  if (config.likelihood !== 'gaussian-learned') return 0;
  const [height, width, channels] = config.inputShape;
  return config.learnedVariance === 'per-pixel' ? height * width * channels : 1;
}
