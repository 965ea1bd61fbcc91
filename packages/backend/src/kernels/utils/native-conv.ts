// Conv2D, FusedConv2D and the two Conv2D gradients on the native addon (oneDNN's convolution primitives, NHWC, filters
// [kh, kw, ci, co] as tfjs keeps them). The geometry is tfjs' own (computeConv2DInfo, as for the fast wasm kernels),
// handed over as 15 integers. NCHW, PReLU and a bias that is not per output channel go to the fallback kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, type ConvGeometry, convGeometry } from './conv-geometry';
import { type KernelArgs, sizeOf, type WasmBackendLike } from './kernel-utils';
import { heapView, NATIVE_ACTIVATIONS, nativeAddon } from './native-addon';

/** The addon's geometry arguments: n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, padTop, padLeft. */
export function geometryArgs(g: ConvGeometry, outChannels: number): number[] {
  return [
    g.batchSize,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
  ];
}

type Attrs = ConvAttrs & { activation?: string; leakyreluAlpha?: number };

function allFloat(...infos: (tf.TensorInfo | undefined)[]): boolean {
  return infos.every((info) => info != null && info.dtype === 'float32' && sizeOf(info.shape) > 0);
}

/** Conv2D (no bias input) or FusedConv2D (bias, activation): inputs { x, filter, bias?, preluActivationWeights? }. */
export function makeNativeConv2DConfig(fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as unknown as Attrs;
    const activation = NATIVE_ACTIVATIONS[attrs.activation ?? 'linear'];
    const outChannels = filter?.shape[3] ?? 0;
    if (
      !allFloat(x, filter) ||
      attrs.dataFormat === 'NCHW' ||
      preluActivationWeights != null ||
      activation === undefined ||
      (bias != null && (bias.dtype !== 'float32' || sizeOf(bias.shape) !== outChannels))
    ) {
      return fallback.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const g = convGeometry(x!.shape, filter!.shape, attrs);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([g.batchSize, g.outHeight, g.outWidth, outChannels], 'float32');
    nativeAddon().conv2D(
      heapView(backend, x!),
      heapView(backend, filter!),
      heapView(backend, out),
      bias == null ? null : heapView(backend, bias),
      activation,
      attrs.leakyreluAlpha ?? 0.2,
      ...geometryArgs(g, outChannels),
    );
    return out;
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** Conv2DBackpropInput: inputs { dy, filter }, attrs { inputShape, strides, pad, … }; returns dx [b, h, w, ci]. */
export function makeNativeConv2DBackpropInputConfig(fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { dy, filter } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    if (!allFloat(dy, filter) || attrs.dataFormat === 'NCHW' || sizeOf(attrs.inputShape) === 0) {
      return fallback.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const g = convGeometry(attrs.inputShape, filter!.shape, attrs);
    const backend = args.backend as WasmBackendLike;
    const dx = backend.makeOutput([...attrs.inputShape], 'float32');
    nativeAddon().conv2DBackpropInput(
      heapView(backend, dy!),
      heapView(backend, filter!),
      heapView(backend, dx),
      ...geometryArgs(g, filter!.shape[3]!),
    );
    return dx;
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

/** Conv2DBackpropFilter: inputs { x, dy }, attrs { filterShape, strides, pad, … }; returns dW [kh, kw, ci, co]. */
export function makeNativeConv2DBackpropFilterConfig(fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const { x, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    if (!allFloat(x, dy) || attrs.dataFormat === 'NCHW' || sizeOf(attrs.filterShape) === 0) {
      return fallback.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const g = convGeometry(x!.shape, attrs.filterShape, attrs);
    const backend = args.backend as WasmBackendLike;
    const dw = backend.makeOutput([...attrs.filterShape], 'float32');
    nativeAddon().conv2DBackpropFilter(
      heapView(backend, x!),
      heapView(backend, dy!),
      heapView(backend, dw),
      ...geometryArgs(g, attrs.filterShape[3]!),
    );
    return dw;
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
