// Stock tfjs-backend-wasm computes Conv2D and FusedConv2D with pad 'same' wrongly when the two strides differ
// (XNNPACK's TensorFlow-SAME flag path; e.g. strides [3, 1] give an output unrelated to the cpu backend's). The
// replacement passes 'same' as the equivalent explicit padding, which the stock kernel computes correctly.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-utils';

type Padding = [[number, number], [number, number], [number, number], [number, number]];

/** The explicit NHWC padding equivalent to pad 'same' for this input, filter, strides and dilations. */
export function explicitSamePadding(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
): Padding {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    'same',
  );
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** Builds the replacement config for Conv2D or FusedConv2D: 'same' (NHWC) becomes explicit padding. */
export function makeExplicitSameConvConfig(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const attrs = (args.attrs ?? {}) as {
      pad?: unknown;
      dataFormat?: string;
      strides: number | [number, number];
      dilations?: number | [number, number];
    };
    if (attrs.pad !== 'same' || (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC')) {
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const x = args.inputs.x as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const pad = explicitSamePadding(x.shape, filter.shape, attrs.strides, attrs.dilations);
    return original.kernelFunc({
      ...(args as unknown as Parameters<tf.KernelFunc>[0]),
      attrs: { ...attrs, pad } as unknown as tf.NamedAttrMap,
    });
  };
  return { ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
