// SplitV on the native addon: each part one native slice (stock wasm slices element by element along the last axis:
// 2.6 ms a call for a PixelCNN gate's [128, 7, 7, 128] split in two).
import * as tf from '@tensorflow/tfjs-core';
import { asRank4, largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativeSplitVConfig = nativeKernelConfig(
  'SplitV',
  (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const attrs = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank > 4 || rank === 0 || !largeEnough(x.shape)) return null;
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
    const partShapes = sizes.map((size) => x.shape.map((d, i) => (i === axis ? size : d)));
    const padding = Array<number>(4 - rank).fill(0);
    return {
      outShapes: partShapes,
      run: (addon, view, parts) => {
        let begin = 0;
        parts.forEach((part, index) => {
          const start = x.shape.map((_, i) => (i === axis ? begin : 0));
          addon.slice(view(x), part, ...asRank4(x.shape), ...padding, ...start, ...asRank4(partShapes[index]!));
          begin += sizes[index]!;
        });
      },
    };
  },
  { multipleOutputs: true },
);
