// Conv2DBackpropFilter (missing on stock tfjs-backend-wasm) and a fast Conv2DBackpropInput (a naive loop on stock
// wasm), both expressed as im2col/col2im plus matMuls that take XNNPACK's path:
//   dW[kh,kw,ci,co] = colsᵀ·dy   computed as (dyᵀ·cols)ᵀ, so the large column matrix is never transposed;
//   dx              = col2im(dy·Wᵀ), where Wᵀ is the small [co, kh·kw·ci] transposed filter.
// conv2dTranspose runs Conv2DBackpropInput in its forward pass, so it profits too. Large batches are processed in
// chunks so the column matrix stays under columnBudget.maxFloats.
import * as tf from '@tensorflow/tfjs-core';
import { canComputeFilterByConv, conv2dBackpropFilterByConv } from './conv2d-backprop-filter-conv';
import { conv2dBackpropInputByPhases, planPhases } from './conv2d-backprop-input-phases';
import { type ConvGeometry, col2im, im2col } from './im2col';
import {
  disposeInfo,
  type KernelArgs,
  type KernelBackendLike,
  runKernel,
  transposeLastTwo,
  view,
  type WasmBackendLike,
} from './kernel-utils';

/**
 * Route of Conv2DBackpropFilter: one Conv2D with batch and channels swapped (XNNPACK, threaded; see
 * conv2d-backprop-filter-conv.ts) when `useConv` and the input has at least `minInChannels` channels (with fewer,
 * that Conv2D has only kh·kw·ci output rows and im2col + matMul measured faster), else im2col + matMul.
 * Mutable for tests and benchmarks.
 */
export const filterRoute = { useConv: true, minInChannels: 8 };

/**
 * Route of Conv2DBackpropInput: stride-phase Conv2Ds (XNNPACK, threaded; see conv2d-backprop-input-phases.ts)
 * where they apply, when `usePhases` and dx has at least `minInChannels` channels (the phase convolutions' output
 * channels; with fewer XNNPACK is slow and matMul + col2im measured faster), else matMul + col2im. Mutable for tests
 * and benchmarks.
 */
export const inputRoute = { usePhases: true, minInChannels: 8 };

/** Largest column matrix (in floats; 2^24 = 64 MiB) built at once; bigger batches are split. Mutable for tests. */
export const columnBudget = { maxFloats: 1 << 24 };

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** Geometry of the convolution whose filter is `filterShape` and whose input is `inputShape` (NHWC). */
export function convGeometry(inputShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Images per chunk so that a chunk's column matrix stays under columnBudget.maxFloats. */
export function imagesPerChunk(g: ConvGeometry, maxFloats = columnBudget.maxFloats): number {
  const perImage = g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
  return Math.max(1, Math.min(g.batchSize, Math.floor(maxFloats / Math.max(1, perImage))));
}

function rowsOf(backendName: string, backend: KernelBackendLike, x2d: tf.TensorInfo, start: number, count: number) {
  if (start === 0 && count === x2d.shape[0]) return { rows: x2d, owned: false };
  const rows = runKernel(
    'Slice',
    backendName,
    backend,
    { x: x2d },
    { begin: [start, 0], size: [count, x2d.shape[1]!] },
  );
  return { rows, owned: true };
}

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
      const { rows, owned } = rowsOf(backendName, backend, dy2d, start * rowsPerImage, count * rowsPerImage);
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
        const { rows, owned } = rowsOf(backendName, backend, dy2d, start * rowsPerImage, count * rowsPerImage);
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
