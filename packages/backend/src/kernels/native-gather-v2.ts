// GatherV2 of rows (axis 0, no batch dimensions: embedding lookups) on the native addon, one memcpy a row (stock wasm:
// 18 ms for a PixelCNN prior's 6,272 embedding rows). Other axes, dtypes, small outputs and out-of-range indices
// (the stock kernel reports those) run the wasm kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import { disposeInfo, type KernelArgs, sizeOf, type WasmBackendLike } from './utils/kernel-utils';
import { heapView, nativeAddon } from './utils/native-addon';
import { largeEnough } from './utils/native-data-movement';

interface IntHeapBackend extends WasmBackendLike {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array & Int32Array;
}

/** Replaces the stock kernel where there is one. */
export const nativeGatherV2Config: FastKernelConfig = {
  kernelName: 'GatherV2',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const runOriginal = () => original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      const { x, indices } = args.inputs as Record<string, tf.TensorInfo>;
      const attrs = args.attrs as unknown as { axis: number; batchDims?: number };
      if (x == null || indices == null || x.dtype !== 'float32' || indices.dtype !== 'int32') return runOriginal();
      const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
      const outShape = [...indices.shape, ...x.shape.slice(1)];
      if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.shape.length === 0 || !largeEnough(outShape)) {
        return runOriginal();
      }
      const backend = args.backend as IntHeapBackend;
      const out = backend.makeOutput(outShape, 'float32');
      const rowSize = sizeOf(x.shape.slice(1));
      const done = nativeAddon().gatherRows(
        heapView(backend, x),
        backend.typedArrayFromHeap(indices) as unknown as Int32Array,
        heapView(backend, out),
        x.shape[0]!,
        rowSize,
      );
      if (done) return out;
      disposeInfo(backend, out);
      return runOriginal();
    }) as unknown as tf.KernelFunc,
  }),
};
