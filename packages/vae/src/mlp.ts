import * as tfl from '@tensorflow/tfjs-layers';
import type { ResolvedVaeConfig } from './config';
import type { Initializers } from './initializers';

/**
 * MLP encoder body: flatten the image (and concatenate the label one-hot), then `hidden` dense layers.
 * With `hidden: [400]` this is PyTorch examples/vae's `fc1` (784 → 400, relu).
 * @returns float32 `[batch, hidden[last]]` (the flattened input when `hidden` is empty)
 */
export function mlpEncoderBody(
  image: tfl.SymbolicTensor,
  label: tfl.SymbolicTensor | null,
  config: ResolvedVaeConfig,
  init: Initializers,
): tfl.SymbolicTensor {
  let h = tfl.layers.flatten({ name: 'enc_flatten' }).apply(image) as tfl.SymbolicTensor;
  if (label) h = tfl.layers.concatenate({ name: 'enc_x_label' }).apply([h, label]) as tfl.SymbolicTensor;
  config.hidden.forEach((units, i) => {
    h = dense(units, config.activation, `enc_dense_${i}`, init).apply(h) as tfl.SymbolicTensor;
  });
  return h;
}

/**
 * MLP decoder body: the hidden layers in reverse order, then a dense layer to h·w·c reshaped to the image.
 * With `hidden: [400]` this is PyTorch examples/vae's `fc3`, `fc4` (20 → 400 relu → 784).
 * @returns float32 `[batch, h, w, c]` before the output activation
 */
export function mlpDecoderBody(
  z: tfl.SymbolicTensor,
  config: ResolvedVaeConfig,
  init: Initializers,
): tfl.SymbolicTensor {
  const [height, width, channels] = config.inputShape;
  let h = z;
  [...config.hidden].reverse().forEach((units, i) => {
    h = dense(units, config.activation, `dec_dense_${i}`, init).apply(h) as tfl.SymbolicTensor;
  });
  h = dense(height * width * channels, 'linear', 'dec_output', init).apply(h) as tfl.SymbolicTensor;
  return tfl.layers
    .reshape({ targetShape: [height, width, channels], name: 'dec_reshape' })
    .apply(h) as tfl.SymbolicTensor;
}

// helpers

function dense(units: number, activation: string, name: string, init: Initializers): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    activation: activation as 'relu',
    name,
    kernelInitializer: init.kernel(),
  });
}
