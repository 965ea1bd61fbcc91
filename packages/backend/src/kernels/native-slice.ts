// Slice on the native addon: rows copied with memcpy (a PixelCNN step slices its stacks 48 times).
import * as tf from '@tensorflow/tfjs-core';
import { asRank4, largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativeSliceConfig = nativeKernelConfig('Slice', (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size) as [
    number[],
    number[],
  ];
  if (x.dtype !== 'float32' || x.shape.length > 4 || x.shape.length === 0 || !largeEnough(size)) return null;
  const padding = Array<number>(4 - x.shape.length).fill(0);
  return {
    outShapes: [[...size]],
    run: (addon, view, [out]) =>
      addon.slice(view(x), out!, ...asRank4(x.shape), ...padding, ...begin, ...asRank4(size)),
  };
});
