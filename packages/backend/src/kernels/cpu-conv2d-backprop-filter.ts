// Conv2DBackpropFilter for tfjs-backend-cpu. The stock kernel sums element by element through TensorBuffer accessors,
// about 50× slower than cpu's own forward Conv2D: a PixelCNN prior's step spent most of its time there. This one is the
// same gradient as one forward convolution with batch and channels swapped (utils/filter-by-conv.ts), on cpu's own
// Transpose and Conv2D kernels; a geometry that route does not cover (NCHW, a stride with a dilation) goes to the
// stock kernel. Same values up to float rounding.
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvAttrs } from './utils/conv-geometry';
import { canComputeFilterByConv, conv2dBackpropFilterByConv } from './utils/filter-by-conv';
import type { FastKernelConfig } from './utils/kernel-overrides';
import type { KernelArgs } from './utils/kernel-utils';

export const cpuConv2DBackpropFilterConfig: FastKernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'cpu',
  when: 'replace',
  create: ({ original }) => ({
    ...original!,
    kernelFunc: ((args: KernelArgs) => {
      const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
      if (!canComputeFilterByConv(attrs)) return original!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
      return conv2dBackpropFilterByConv(
        'cpu',
        args.backend,
        args.inputs.x as tf.TensorInfo,
        args.inputs.dy as tf.TensorInfo,
        attrs,
      );
    }) as unknown as tf.KernelFunc,
  }),
};
