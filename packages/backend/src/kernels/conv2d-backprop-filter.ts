// Conv2DBackpropFilter for tfjs-backend-wasm, which has none (so conv models do not train on stock wasm). Two routes:
//   - one forward Conv2D with batch and channels swapped (utils/filter-by-conv.ts), XNNPACK and threaded;
//   - im2col plus one matMul that takes XNNPACK's path: dW[kh,kw,ci,co] = colsᵀ·dy, computed as (dyᵀ·cols)ᵀ so that
//     the large column matrix is never transposed. Large batches are processed in chunks so the column matrix stays
//     under columnBudget.maxFloats.
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, convGeometry } from './utils/conv-geometry';
import { canComputeFilterByConv, conv2dBackpropFilterByConv } from './utils/filter-by-conv';
import { im2col, imagesPerChunk } from './utils/im2col';
import type { FastKernelConfig } from './utils/kernel-overrides';
import {
  disposeInfo,
  type KernelArgs,
  runKernel,
  sliceRows,
  transposeLastTwo,
  view,
  type WasmBackendLike,
} from './utils/kernel-utils';

/**
 * Route of Conv2DBackpropFilter: one Conv2D with batch and channels swapped (XNNPACK, threaded; see
 * utils/filter-by-conv.ts) when `useConv` and the input has at least `minInChannels` channels (with fewer,
 * that Conv2D has only kh·kw·ci output rows and im2col + matMul measured faster), else im2col + matMul.
 * Mutable for tests and benchmarks.
 */
export const filterRoute = { useConv: true, minInChannels: 8 };

/**
 * Conv2DBackpropFilter kernel: inputs { x [b,h,w,ci], dy [b,oh,ow,co] }, attrs { strides, pad, filterShape, … }.
 * Returns dW [kh, kw, ci, co]. `matMul` is the stock (XNNPACK) BatchMatMul kernel function.
 */
export function makeConv2DBackpropFilter(backendName: string, matMul: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackendLike;
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    const x = args.inputs.x as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    if (attrs.dataFormat === 'NCHW') {
      throw new Error("fast Conv2DBackpropFilter supports dataFormat 'NHWC' only, like wasm's Conv2D.");
    }
    const useConv = filterRoute.useConv && x.shape[3]! >= filterRoute.minInChannels;
    if (useConv && canComputeFilterByConv(attrs)) {
      return conv2dBackpropFilterByConv(backendName, backend, x, dy, attrs);
    }
    const g = convGeometry(x.shape, attrs.filterShape, attrs);
    const outChannels = attrs.filterShape[3]!;
    const fieldSize = g.filterHeight * g.filterWidth * g.inChannels;
    const rowsPerImage = g.outHeight * g.outWidth;
    const dy2d = view(dy, [g.batchSize * rowsPerImage, outChannels]);
    const chunk = imagesPerChunk(g);
    let dWT: tf.TensorInfo | null = null; // [co, kh·kw·ci]
    for (let start = 0; start < g.batchSize; start += chunk) {
      const count = Math.min(chunk, g.batchSize - start);
      const cols = backend.makeOutput([count * rowsPerImage, fieldSize], 'float32');
      im2col(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(cols), g, start, count);
      const { rows, owned } = sliceRows(backendName, backend, dy2d, start * rowsPerImage, count * rowsPerImage);
      const dyT = transposeLastTwo(backendName, backend, rows);
      if (owned) disposeInfo(backend, rows);
      const part = matMul({
        inputs: {
          a: view(dyT, [1, outChannels, count * rowsPerImage]),
          b: view(cols, [1, count * rowsPerImage, fieldSize]),
        },
        backend: backend as unknown as tf.KernelBackend,
        attrs: { transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      disposeInfo(backend, cols);
      disposeInfo(backend, dyT);
      if (dWT == null) {
        dWT = part;
      } else {
        const sum = runKernel('Add', backendName, backend, { a: dWT, b: part });
        disposeInfo(backend, dWT);
        disposeInfo(backend, part);
        dWT = sum;
      }
    }
    const dW = transposeLastTwo(backendName, backend, view(dWT!, [outChannels, fieldSize]));
    disposeInfo(backend, dWT!);
    return view(dW, [...attrs.filterShape]);
  };
}

/** Added where stock tfjs has none (wasm 4.22), or replaces one (keeping its setup function). */
export const conv2DBackpropFilterConfig: FastKernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  when: 'always',
  create: ({ original, stock }) => ({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: makeConv2DBackpropFilter('wasm', stock('BatchMatMul').kernelFunc) as unknown as tf.KernelFunc,
  }),
};
