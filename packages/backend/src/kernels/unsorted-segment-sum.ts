// UnsortedSegmentSum for tfjs-backend-wasm, which has none: the gradient of tf.gather (and so of every
// tf.layers.embedding) needs it, so without it no model with an embedding trains on wasm. A single pass over the
// rows in wasm memory: out[segmentIds[i]] += x[i].
import type * as tf from '@tensorflow/tfjs-core';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { WasmBackendLike } from './utils/kernel-utils';

type TypedArray = Float32Array | Int32Array;

/** The kernel config to register for 'wasm'. */
export function makeUnsortedSegmentSumConfig(): tf.KernelConfig {
  return {
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackendLike;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const rowShape = x.shape.slice(segmentIds.shape.length);
      const width = rowShape.reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
      const target = wasm.typedArrayFromHeap(out) as TypedArray;
      target.fill(0);
      const source = wasm.typedArrayFromHeap(x) as TypedArray;
      const ids = wasm.typedArrayFromHeap(segmentIds) as unknown as Int32Array;
      for (let row = 0; row < rows; row++) {
        const segment = ids[row]!;
        // tf.unsortedSegmentSum drops rows whose id is out of range; so does this
        if (segment < 0 || segment >= numSegments) continue;
        const from = row * width;
        const to = segment * width;
        for (let k = 0; k < width; k++) target[to + k] = target[to + k]! + source[from + k]!;
      }
      return out;
    },
  };
}

/** Added where stock tfjs has none (wasm 4.22); a stock kernel, where there is one, is kept. */
export const unsortedSegmentSumConfig: FastKernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  when: 'add',
  create: () => makeUnsortedSegmentSumConfig(),
};
