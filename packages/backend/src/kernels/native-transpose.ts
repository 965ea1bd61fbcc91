// Transpose on the native addon, for up to 4 axes (a PixelCNN step transposes 78 times: its own filter gradients).
import type * as tf from '@tensorflow/tfjs-core';
import { asRank4, largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/** Replaces the stock kernel where there is one; small, non-float32 or rank > 4 tensors still run it. */
export const nativeTransposeConfig = nativeKernelConfig('Transpose', (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as unknown as { perm: number[] }).perm;
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank > 4 || rank === 0 || !largeEnough(x.shape)) return null;
  const pad = 4 - rank;
  const perm4 = [...Array.from({ length: pad }, (_, i) => i), ...perm.map((axis) => axis + pad)];
  return {
    outShapes: [perm.map((axis) => x.shape[axis]!)],
    run: (addon, view, [out]) => addon.transpose(view(x), out!, ...asRank4(x.shape), ...perm4),
  };
});
