// GatherV2 of rows (axis 0, no batch dimensions: embedding lookups) on the native addon, one memcpy a row (stock wasm:
// 18 ms for a PixelCNN prior's 6,272 embedding rows). Other axes, dtypes, small outputs and out-of-range indices
// (the stock kernel reports those) run the wasm kernel.
import * as tf from '@tensorflow/tfjs-core';
import { sizeOf } from './utils/kernel-utils';
import { largeEnough } from './utils/native-data-movement';
import { nativeKernelConfig } from './utils/native-kernel';

/** Replaces the stock kernel where there is one. */
export const nativeGatherV2Config = nativeKernelConfig('GatherV2', (args) => {
  const { x, indices } = args.inputs as Record<string, tf.TensorInfo>;
  const attrs = args.attrs as unknown as { axis: number; batchDims?: number };
  if (x == null || indices == null || x.dtype !== 'float32' || indices.dtype !== 'int32') return null;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const outShape = [...indices.shape, ...x.shape.slice(1)];
  if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.shape.length === 0 || !largeEnough(outShape)) return null;
  return {
    outShapes: [outShape],
    // the heap view of an int32 tensor is an Int32Array
    run: (addon, view, [out]) =>
      addon.gatherRows(view(x), view(indices) as unknown as Int32Array, out!, x.shape[0]!, sizeOf(x.shape.slice(1))),
  };
});
