import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tfSeed } from '@vaejs/core';
import type { ResolvedVaeConfig, VaeInit } from './config';

/** Hands out kernel initialisers with distinct seeds derived from one base seed, one per layer in build order. */
export interface Initializers {
  kernel(): ReturnType<typeof tfl.initializers.glorotUniform>;
}

/** Kernel initialisers of `init` (see `VaeConfig.init`), seeded `base`, `base + 1`, … in the order layers ask. */
export function createInitializers(base: number, init: VaeInit): Initializers {
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
export function initializeBiases(model: tfl.LayersModel, config: ResolvedVaeConfig, base: number): tfl.LayersModel {
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
