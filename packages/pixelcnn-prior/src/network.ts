import { serialization } from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { tfSeed } from '@vaejs/core';
import type { ResolvedPixelCnnConfig } from './config';
import { GatedPixelCnnBlock } from './gated-block';
import { MaskedConv2D } from './masked-conv';

/** Layer names the sampler looks up. */
export const LAYER_NAMES = Object.freeze({
  embedding: 'embedding',
  block: (index: number) => `block_${index}`,
  headRelu: 'head_relu',
  headHidden: 'head_hidden',
  headLogits: 'head_logits',
});

/**
 * Registers the custom layers for (de)serialisation. Idempotent; called before building or loading, so that the
 * registration does not rest on a module side effect a bundler might drop.
 */
export function registerPixelCnnLayers(): void {
  serialization.registerClass(GatedPixelCnnBlock);
  serialization.registerClass(MaskedConv2D);
}

/**
 * Builds the network as one `tf.LayersModel`: inputs `maps` int32 [n, h, w] (h and w free, the network is
 * convolutional) and, when `config.numClasses > 0`, `labels` float32 one-hot [n, numClasses]; output the logits
 * float32 [n, h, w, K]. The logits at (r, c) depend only on the map positions before (r, c) in raster order.
 */
export function buildPixelCnnNetwork(config: ResolvedPixelCnnConfig): tfl.LayersModel {
  registerPixelCnnLayers();
  const maps = tfl.input({ shape: [null, null], dtype: 'int32', name: 'maps' });
  const labels = config.numClasses > 0 ? tfl.input({ shape: [config.numClasses], name: 'labels' }) : undefined;
  const embedded = tfl.layers
    .embedding({
      inputDim: config.numCategories,
      outputDim: config.embeddingDim,
      embeddingsInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 1, seed: tfSeed(config.seed) }),
      name: LAYER_NAMES.embedding,
    })
    .apply(maps) as SymbolicTensor;
  const features =
    config.architecture === 'gated' ? gatedStack(config, embedded, labels) : maskedStack(config, embedded, labels);
  const relu = tfl.layers.activation({ activation: 'relu', name: LAYER_NAMES.headRelu }).apply(features);
  // 1×1 convolutions as dense layers on the last axis (matrix products: fast gradients on every backend).
  const hidden = tfl.layers
    .dense({
      units: config.headChannels,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: config.seed + 1000 }),
      name: LAYER_NAMES.headHidden,
    })
    .apply(relu);
  const logits = tfl.layers
    .dense({
      units: config.numCategories,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: config.seed + 1001 }),
      name: LAYER_NAMES.headLogits,
    })
    .apply(hidden) as SymbolicTensor;
  const inputs = labels ? [maps, labels] : [maps];
  return tfl.model({ inputs, outputs: logits, name: 'pixelcnn' });
}

// helpers

function gatedStack(config: ResolvedPixelCnnConfig, embedded: SymbolicTensor, labels?: SymbolicTensor) {
  let features = embedded;
  for (let index = 0; index < config.layers; index++) {
    const block = new GatedPixelCnnBlock({
      filters: config.channels,
      kernelSize: config.kernelSize,
      maskType: index === 0 ? 'A' : 'B',
      numClasses: config.numClasses,
      seed: config.seed + 10 * (index + 1),
      returns: index === config.layers - 1 ? 'horizontal' : 'stacks',
      name: LAYER_NAMES.block(index),
    });
    features = block.apply(labels ? [features, labels] : features) as SymbolicTensor;
  }
  return features;
}

function maskedStack(config: ResolvedPixelCnnConfig, embedded: SymbolicTensor, labels?: SymbolicTensor) {
  let features = embedded;
  for (let index = 0; index < config.layers; index++) {
    const conv = new MaskedConv2D({
      filters: config.channels,
      kernelSize: config.kernelSize,
      maskType: index === 0 ? 'A' : 'B',
      numClasses: config.numClasses,
      seed: config.seed + 10 * (index + 1),
      name: LAYER_NAMES.block(index),
    });
    if (index === 0) {
      features = conv.apply(labels ? [features, labels] : features) as SymbolicTensor;
    } else {
      const relu = tfl.layers.activation({ activation: 'relu', name: `block_${index}_relu` }).apply(features);
      const update = conv.apply(labels ? [relu as SymbolicTensor, labels] : relu) as SymbolicTensor;
      features = tfl.layers.add({ name: `block_${index}_residual` }).apply([features, update]) as SymbolicTensor;
    }
  }
  return features;
}
