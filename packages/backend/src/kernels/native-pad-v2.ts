// PadV2 (constant padding, up to 4 axes) on the native addon: a fill and one memcpy a row.
import type * as tf from '@tensorflow/tfjs-core';
import { asRank4, largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativePadV2Config = nativeKernelConfig('PadV2', (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d + attrs.paddings[i]![0] + attrs.paddings[i]![1]);
  if (x.dtype !== 'float32' || rank > 4 || rank === 0 || !largeEnough(outShape)) return null;
  const padding = Array<number>(4 - rank).fill(0);
  return {
    outShapes: [outShape],
    run: (addon, view, [out]) =>
      addon.pad(
        view(x),
        out!,
        ...asRank4(x.shape),
        ...padding,
        ...attrs.paddings.map(([before]) => before),
        ...padding,
        ...attrs.paddings.map(([, after]) => after),
        attrs.constantValue,
      ),
  };
});
