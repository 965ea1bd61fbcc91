/**
 * Resizing one image held as bytes (HWC), separably along rows then columns. Pure, no tensors.
 * - `bilinear`: half-pixel centres, like `tf.image.resizeBilinear(x, size, false, true)`.
 * - `area`: each output pixel is the mean of the input area it covers (fractional overlaps weighted), the right
 *   choice for shrinking; like `tf.image.resizeArea` / OpenCV `INTER_AREA`.
 */
import { assertOneOf, assertPositiveInt } from '@vaejs/core';

export type ResizeMethod = 'bilinear' | 'area';

/**
 * @param pixels uint8 `[height * width * channels]`, HWC
 * @param from `[height, width, channels]` of `pixels`
 * @param to `[height, width]` wanted
 * @returns uint8 `[to[0] * to[1] * channels]`, rounded to the nearest byte
 * @example resizeImage(new Uint8Array([0, 100]), [1, 2, 1], [1, 4], 'bilinear'); // Uint8Array [0, 25, 75, 100]
 */
export function resizeImage(
  pixels: Uint8Array,
  from: readonly [number, number, number],
  to: readonly [number, number],
  method: ResizeMethod = 'area',
): Uint8Array {
  const fn = 'resizeImage';
  assertOneOf(fn, 'method', method, ['bilinear', 'area']);
  const [inHeight, inWidth, channels] = from;
  const [outHeight, outWidth] = to;
  assertPositiveInt(fn, 'to[0] (height)', outHeight);
  assertPositiveInt(fn, 'to[1] (width)', outWidth);
  if (inHeight === outHeight && inWidth === outWidth) return pixels.slice();
  const rows = axisWeights(inHeight, outHeight, method);
  const columns = axisWeights(inWidth, outWidth, method);

  // Pass 1: resize each row to outWidth (float), pass 2: combine rows.
  const wide = new Float32Array(inHeight * outWidth * channels);
  for (let y = 0; y < inHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { sources, weights } = columns[x] as AxisWeights;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let t = 0; t < sources.length; t++) {
          sum += (weights[t] as number) * (pixels[(y * inWidth + (sources[t] as number)) * channels + c] as number);
        }
        wide[(y * outWidth + x) * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const { sources, weights } = rows[y] as AxisWeights;
    for (let i = 0; i < outWidth * channels; i++) {
      let sum = 0;
      for (let t = 0; t < sources.length; t++) {
        sum += (weights[t] as number) * (wide[(sources[t] as number) * outWidth * channels + i] as number);
      }
      out[y * outWidth * channels + i] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}

// helpers

interface AxisWeights {
  sources: number[];
  weights: number[];
}

/** For each output position along one axis: which input positions contribute, with which weights (summing to 1). */
function axisWeights(inSize: number, outSize: number, method: ResizeMethod): AxisWeights[] {
  const scale = inSize / outSize;
  const result: AxisWeights[] = [];
  for (let o = 0; o < outSize; o++) {
    if (method === 'bilinear') {
      const position = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
      const low = Math.floor(position);
      const high = Math.min(low + 1, inSize - 1);
      const fraction = position - low;
      result.push(
        high === low ? { sources: [low], weights: [1] } : { sources: [low, high], weights: [1 - fraction, fraction] },
      );
    } else {
      const start = o * scale;
      const end = (o + 1) * scale;
      const sources: number[] = [];
      const weights: number[] = [];
      for (let i = Math.floor(start); i < Math.min(Math.ceil(end), inSize); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap > 1e-9) {
          sources.push(i);
          weights.push(overlap / scale);
        }
      }
      result.push({ sources, weights });
    }
  }
  return result;
}
