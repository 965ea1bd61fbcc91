import * as tfl from '@tensorflow/tfjs-layers';
import type { ResolvedVaeConfig } from './config';
import type { Initializers } from './initializers';

/**
 * Spatial sizes through the conv stack: each stride-2 'same' conv maps s → ⌈s/2⌉.
 * @returns `sizes[i]` = `[height, width]` after `i` stride-2 layers (`sizes[0]` is the input size)
 * @example convSizes(12, 10, 2) // [[12,10],[6,5],[3,3]]
 */
export function convSizes(height: number, width: number, layers: number): [number, number][] {
  const sizes: [number, number][] = [[height, width]];
  for (let i = 0; i < layers; i++) {
    const [h, w] = sizes[i] as [number, number];
    sizes.push([Math.ceil(h / 2), Math.ceil(w / 2)]);
  }
  return sizes;
}

/**
 * Conv encoder body: (label one-hot tiled to extra input channels for 'cvae'), one stride-2 conv per entry of
 * `filters`, flatten, optionally a dense layer of `denseUnits`.
 * @returns float32 `[batch, features]`
 */
export function convEncoderBody(
  image: tfl.SymbolicTensor,
  label: tfl.SymbolicTensor | null,
  config: ResolvedVaeConfig,
  init: Initializers,
): tfl.SymbolicTensor {
  const [height, width] = config.inputShape;
  let h = image;
  if (label) {
    const repeated = tfl.layers.repeatVector({ n: height * width, name: 'enc_label_repeat' }).apply(label);
    const planes = tfl.layers
      .reshape({ targetShape: [height, width, config.numClasses], name: 'enc_label_planes' })
      .apply(repeated);
    h = tfl.layers
      .concatenate({ name: 'enc_x_label' })
      .apply([image, planes as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  }
  config.filters.forEach((filters, i) => {
    h = tfl.layers
      .conv2d({
        filters,
        kernelSize: config.kernelSize,
        strides: 2,
        padding: 'same',
        activation: config.activation as 'relu',
        kernelInitializer: init.kernel(),
        name: `enc_conv_${i}`,
      })
      .apply(h) as tfl.SymbolicTensor;
  });
  h = tfl.layers.flatten({ name: 'enc_flatten' }).apply(h) as tfl.SymbolicTensor;
  if (config.denseUnits > 0) {
    h = tfl.layers
      .dense({
        units: config.denseUnits,
        activation: config.activation as 'relu',
        kernelInitializer: init.kernel(),
        name: 'enc_dense',
      })
      .apply(h) as tfl.SymbolicTensor;
  }
  return h;
}

/**
 * Conv decoder body, the mirror of the encoder: optionally dense `denseUnits`, dense to the smallest feature map,
 * then one stride-2 transposed conv per entry of `filters` in reverse order (the last one producing the image
 * channels), and a crop to exactly `[h, w]` when the sizes did not divide by 2 at every layer.
 * @returns float32 `[batch, h, w, c]` before the output activation
 */
export function convDecoderBody(
  z: tfl.SymbolicTensor,
  config: ResolvedVaeConfig,
  init: Initializers,
): tfl.SymbolicTensor {
  const [height, width, channels] = config.inputShape;
  const layers = config.filters.length;
  const [smallH, smallW] = convSizes(height, width, layers)[layers] as [number, number];
  const deepest = config.filters[layers - 1] as number;
  const activation = config.activation as 'relu';
  let h = z;
  if (config.denseUnits > 0) {
    h = tfl.layers
      .dense({ units: config.denseUnits, activation, kernelInitializer: init.kernel(), name: 'dec_dense' })
      .apply(h) as tfl.SymbolicTensor;
  }
  h = tfl.layers
    .dense({ units: smallH * smallW * deepest, activation, kernelInitializer: init.kernel(), name: 'dec_project' })
    .apply(h) as tfl.SymbolicTensor;
  h = tfl.layers
    .reshape({ targetShape: [smallH, smallW, deepest], name: 'dec_reshape' })
    .apply(h) as tfl.SymbolicTensor;
  for (let i = layers - 1; i >= 0; i--) {
    const last = i === 0;
    h = tfl.layers
      .conv2dTranspose({
        filters: last ? channels : (config.filters[i - 1] as number),
        kernelSize: config.kernelSize,
        strides: 2,
        padding: 'same',
        activation: last ? 'linear' : activation,
        kernelInitializer: init.kernel(),
        name: `dec_deconv_${i}`,
      })
      .apply(h) as tfl.SymbolicTensor;
  }
  const extraH = smallH * 2 ** layers - height;
  const extraW = smallW * 2 ** layers - width;
  if (extraH > 0 || extraW > 0) {
    const cropping: [[number, number], [number, number]] = [
      [Math.floor(extraH / 2), Math.ceil(extraH / 2)],
      [Math.floor(extraW / 2), Math.ceil(extraW / 2)],
    ];
    h = tfl.layers.cropping2D({ cropping, name: 'dec_crop' }).apply(h) as tfl.SymbolicTensor;
  }
  return h;
}
