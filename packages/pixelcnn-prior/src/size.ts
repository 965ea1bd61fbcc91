/**
 * The size of a PixelCNN prior from its config, before anything is built: parameters (exactly what `countParams()` of
 * its network sums to) and the activations one code map keeps through a training step, for a memory guard such as the
 * `vaejs` CLI's `--max-memory`. Layer by layer as `network.ts`, `gated-block.ts` and `masked-conv.ts` build them.
 */
import { type ModelSize, modelSize } from '@vaejs/core';
import { type PixelCnnConfig, type ResolvedPixelCnnConfig, resolvePixelCnnConfig } from './config';

/** Activation maps of width `channels` a gated block keeps: its gates, stacks and their sums, about ten. */
const MAPS_PER_BLOCK = 10;

/**
 * Estimates one training step of the prior `config` describes on batches of `batchSize` code maps (defaults merged
 * as `createPixelCnn` merges them: 6 gated blocks of 64 channels).
 * @throws ConfigError for an invalid config or batch size, as `createPixelCnn` names them
 * @example estimatePixelCnnSize({ numCategories: 128, height: 7, width: 7 }, 128).parameters // 551,808
 */
export function estimatePixelCnnSize(config: PixelCnnConfig, batchSize: number): ModelSize {
  const fn = 'estimatePixelCnnSize';
  const resolved = resolvePixelCnnConfig(config, fn);
  const { numCategories, height, width, channels, layers, embeddingDim, headChannels } = resolved;
  let parameters = numCategories * embeddingDim;
  for (let layer = 0; layer < layers; layer++) parameters += blockWeights(resolved, layer);
  parameters += headChannels * channels + headChannels + numCategories * headChannels + numCategories;
  const perPosition = embeddingDim + MAPS_PER_BLOCK * layers * channels + headChannels + numCategories;
  return modelSize({ parameters, activationsPerItem: height * width * perPosition }, batchSize, fn);
}

// helpers

/** Weights of block `layer`: its input is the embedding for the first, the previous block's channels after. */
function blockWeights(config: ResolvedPixelCnnConfig, layer: number): number {
  const { channels, kernelSize, numClasses, layers } = config;
  const inputs = layer === 0 ? config.embeddingDim : channels;
  if (config.architecture === 'masked') {
    return kernelSize * kernelSize * inputs * channels + channels + numClasses * channels;
  }
  const rows = Math.floor(kernelSize / 2) + 1;
  // each gate pair has a tanh and a sigmoid half: vertical (rows × k), horizontal (1 × rows), the 1×1 link from the
  // vertical to the horizontal stack, each with its bias; then the 1×1 output of the horizontal stack
  const gates = 2 * (rows * kernelSize * inputs * channels + rows * inputs * channels + 2 * channels * channels);
  const biases = 3 * 2 * channels;
  const output = channels * channels + channels;
  // a learned bias per class in each gate pair; the last block's vertical stack is never read, so it has none
  const stacks = layer === layers - 1 ? 1 : 2;
  return gates + biases + output + stacks * 2 * numClasses * channels;
}
