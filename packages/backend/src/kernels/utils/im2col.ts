// im2col / col2im for NHWC convolutions, on plain Float32Arrays (the wasm heap views of tensors).
// Row r = (b, oh, ow) of the column matrix holds the receptive field of output pixel (oh, ow) of image b,
// flattened as (kh, kw, ci), matching the layout of a [kh, kw, ci, co] filter reshaped to [kh·kw·ci, co].
import type { ConvGeometry } from './conv-geometry';

/** Largest column matrix (in floats; 2^24 = 64 MiB) built at once; bigger batches are split. Mutable for tests. */
export const columnBudget = { maxFloats: 1 << 24 };

/** Images per chunk so that a chunk's column matrix stays under columnBudget.maxFloats. */
export function imagesPerChunk(g: ConvGeometry, maxFloats = columnBudget.maxFloats): number {
  const perImage = g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels;
  return Math.max(1, Math.min(g.batchSize, Math.floor(maxFloats / Math.max(1, perImage))));
}

/**
 * Writes the column matrix of `x` [batch, inHeight, inWidth, inChannels] into `cols`
 * [batchCount·outHeight·outWidth, filterHeight·filterWidth·inChannels], for images batchStart…batchStart+batchCount-1.
 * Padding positions are written as zeros.
 */
export function im2col(
  x: Float32Array,
  cols: Float32Array,
  g: ConvGeometry,
  batchStart = 0,
  batchCount = g.batchSize,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const rowStride = inWidth * ci;
  const imageStride = inHeight * rowStride;
  const kwSpan = filterWidth * ci;
  let o = 0;
  for (let b = batchStart; b < batchStart + batchCount; b++) {
    const imageBase = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const ihBase = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iwBase = ow * strideWidth - padLeft;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ihBase + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) {
            cols.fill(0, o, o + kwSpan);
            o += kwSpan;
            continue;
          }
          const rowBase = imageBase + ih * rowStride;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = iwBase + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) {
              for (let c = 0; c < ci; c++) cols[o + c] = 0;
            } else {
              const src = rowBase + iw * ci;
              for (let c = 0; c < ci; c++) cols[o + c] = x[src + c]!;
            }
            o += ci;
          }
        }
      }
    }
  }
}

/**
 * Scatter-adds the column matrix `cols` (layout as in `im2col`) into `dx` [batch, inHeight, inWidth, inChannels]
 * for images batchStart…batchStart+batchCount-1, which it first zeroes: the adjoint of `im2col`.
 */
export function col2im(
  cols: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  batchStart = 0,
  batchCount = g.batchSize,
): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const rowStride = inWidth * ci;
  const imageStride = inHeight * rowStride;
  const kwSpan = filterWidth * ci;
  dx.fill(0, batchStart * imageStride, (batchStart + batchCount) * imageStride);
  let o = 0;
  for (let b = batchStart; b < batchStart + batchCount; b++) {
    const imageBase = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const ihBase = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iwBase = ow * strideWidth - padLeft;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ihBase + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) {
            o += kwSpan;
            continue;
          }
          const rowBase = imageBase + ih * rowStride;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = iwBase + kw * dilationWidth;
            if (iw >= 0 && iw < inWidth) {
              const dst = rowBase + iw * ci;
              for (let c = 0; c < ci; c++) dx[dst + c] = dx[dst + c]! + cols[o + c]!;
            }
            o += ci;
          }
        }
      }
    }
  }
}
