// A fast Conv2DBackpropInput for tfjs-backend-wasm, whose stock kernel is a naive loop (conv2dTranspose runs it in its
// forward pass, so that profits too). Two routes:
//   - stride-phase Conv2Ds (utils/stride-phases.ts), XNNPACK and threaded;
//   - one matMul that takes XNNPACK's path plus col2im: dx = col2im(dy·Wᵀ), where Wᵀ is the small [co, kh·kw·ci]
//     transposed filter; large batches in chunks, as for Conv2DBackpropFilter.
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, convGeometry } from './utils/conv-geometry';
import { col2im, imagesPerChunk } from './utils/im2col';
import type { FastKernelConfig } from './utils/kernel-overrides';
import {
  disposeInfo,
  type KernelArgs,
  sliceRows,
  transposeLastTwo,
  view,
  type WasmBackendLike,
} from './utils/kernel-utils';
import { conv2dBackpropInputByPhases, planPhases } from './utils/stride-phases';

/**
 * Route of Conv2DBackpropInput: stride-phase Conv2Ds (XNNPACK, threaded; see utils/stride-phases.ts) where they
 * apply, when `usePhases` and dx has at least `minInChannels` channels (the phase convolutions' output channels; with
 * fewer XNNPACK is slow and matMul + col2im measured faster), else matMul + col2im. Mutable for tests and benchmarks.
 */
export const inputRoute = { usePhases: true, minInChannels: 8 };

/**
 * Conv2DBackpropInput kernel: inputs { dy [b,oh,ow,co], filter [kh,kw,ci,co] }, attrs { inputShape, strides, pad, … }.
 * Returns dx [b, h, w, ci]. Falls back to `original` for NCHW.
 */
export function makeConv2DBackpropInput(backendName: string, matMul: tf.KernelFunc, original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackendLike;
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    if (attrs.dataFormat === 'NCHW') return original(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const usePhases = inputRoute.usePhases && filter.shape[2]! >= inputRoute.minInChannels;
    const phases = usePhases ? planPhases(dy.shape, filter.shape, attrs) : null;
    if (phases != null) return conv2dBackpropInputByPhases(backendName, backend, dy, filter, phases);
    const g = convGeometry(attrs.inputShape, filter.shape, attrs);
    const outChannels = filter.shape[3]!;
    const fieldSize = g.filterHeight * g.filterWidth * g.inChannels;
    const rowsPerImage = g.outHeight * g.outWidth;
    const filterT = transposeLastTwo(backendName, backend, view(filter, [fieldSize, outChannels])); // [co, field]
    const dx = backend.makeOutput([...attrs.inputShape], 'float32');
    const dy2d = view(dy, [g.batchSize * rowsPerImage, outChannels]);
    const chunk = imagesPerChunk(g);
    try {
      for (let start = 0; start < g.batchSize; start += chunk) {
        const count = Math.min(chunk, g.batchSize - start);
        const { rows, owned } = sliceRows(backendName, backend, dy2d, start * rowsPerImage, count * rowsPerImage);
        const cols = matMul({
          inputs: {
            a: view(rows, [1, count * rowsPerImage, outChannels]),
            b: view(filterT, [1, outChannels, fieldSize]),
          },
          backend: backend as unknown as tf.KernelBackend,
          attrs: { transposeA: false, transposeB: false },
        }) as tf.TensorInfo;
        if (owned) disposeInfo(backend, rows);
        col2im(backend.typedArrayFromHeap(cols), backend.typedArrayFromHeap(dx), g, start, count);
        disposeInfo(backend, cols);
      }
    } finally {
      disposeInfo(backend, filterT);
    }
    return dx;
  };
}

/** Replaces the stock kernel where there is one; NCHW still runs it. */
export const conv2DBackpropInputConfig: FastKernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  when: 'replace',
  create: ({ original, stock }) => ({
    ...original!,
    kernelFunc: makeConv2DBackpropInput(
      'wasm',
      stock('BatchMatMul').kernelFunc,
      original!.kernelFunc,
    ) as unknown as tf.KernelFunc,
  }),
};
