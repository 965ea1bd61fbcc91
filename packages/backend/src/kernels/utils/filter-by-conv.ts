// Conv2DBackpropFilter as one forward convolution on the backend's own Conv2D (XNNPACK on wasm, multithreaded),
// with batch and channels swapped:
//   dW[kh, kw, ci, co] = Σ_{b, oh, ow} xPad[b, oh·s + kh·d, ow·s + kw·d, ci] · dy[b, oh, ow, co]
// is a convolution of xᵀ = x transposed to [ci, H, W, b] (images as channels) with the filter dyᵀ = dy transposed
// to [oh, ow, b, co], whose stride is the original dilation d and whose dilation is the original stride s; its
// output [ci, kh, kw, co] is transposed to [kh, kw, ci, co]. Same FLOPs as the gradient, no column matrix (the
// im2col route packs a [b·oh·ow, kh·kw·ci] matrix as XNNPACK weights on every call, which dominated it).
import type * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvAttrs as GeometryAttrs } from './conv-geometry';
import { disposeInfo, type KernelBackendLike, runKernel } from './kernel-utils';

type ConvAttrs = GeometryAttrs & { filterShape: number[] };

/** True when the convolution route applies (NHWC; stride and dilation not both above 1 on one axis). */
export function canComputeFilterByConv(attrs: ConvAttrs): boolean {
  if (attrs.dataFormat === 'NCHW') return false;
  const pair = (v: number | [number, number] | undefined) => (Array.isArray(v) ? v : [v ?? 1, v ?? 1]);
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = pair(attrs.dilations);
  return !((sh! > 1 && dh! > 1) || (sw! > 1 && dw! > 1));
}

/**
 * dW [kh, kw, ci, co] of the NHWC convolution of x [b, h, w, ci] giving dy [b, oh, ow, co], via the backend's
 * Conv2D and Transpose kernels (and Slice when the padded input reaches past the last filter tap).
 */
export function conv2dBackpropFilterByConv(
  backendName: string,
  backend: KernelBackendLike,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: ConvAttrs,
): tf.TensorInfo {
  const g = convGeometry(x.shape, attrs.filterShape, attrs);
  // Rows the original convolution reads, in padded coordinates: 0 … (oh−1)·s + (kh−1)·d.
  const needH = (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1;
  const needW = (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1;
  const padBottom = Math.max(0, needH - g.padTop - g.inHeight);
  const padRight = Math.max(0, needW - g.padLeft - g.inWidth);
  const temporaries: tf.TensorInfo[] = [];
  try {
    const xT = runKernel('Transpose', backendName, backend, { x }, { perm: [3, 1, 2, 0] });
    temporaries.push(xT);
    const dyT = runKernel('Transpose', backendName, backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temporaries.push(dyT);
    let out = runKernel(
      'Conv2D',
      backendName,
      backend,
      { x: xT, filter: dyT },
      {
        strides: [g.dilationHeight, g.dilationWidth],
        dilations: [g.strideHeight, g.strideWidth],
        pad: [
          [0, 0],
          [g.padTop, padBottom],
          [g.padLeft, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    ); // [ci, ≥kh, ≥kw, co]
    temporaries.push(out);
    if (out.shape[1] !== g.filterHeight || out.shape[2] !== g.filterWidth) {
      out = runKernel(
        'Slice',
        backendName,
        backend,
        { x: out },
        { begin: [0, 0, 0, 0], size: [g.inChannels, g.filterHeight, g.filterWidth, out.shape[3]!] },
      );
      temporaries.push(out);
    }
    return runKernel('Transpose', backendName, backend, { x: out }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temporaries) disposeInfo(backend, t);
  }
}
