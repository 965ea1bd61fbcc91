import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt, ConfigError, describeValue, formatExpected, ValueError } from '@vaejs/core';

// Acklam's rational approximation of the standard normal quantile, relative error < 1.15e-9.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Inverse of the standard normal CDF Φ⁻¹(p) (Acklam's approximation, relative error < 1.2e-9), the
 * `norm.ppf` of the Keras VAE example's manifold plot.
 * @param p probability in (0, 1)
 * @example inverseNormalCdf(0.975) // 1.959963984…
 */
export function inverseNormalCdf(p: number): number {
  if (!(typeof p === 'number' && p > 0 && p < 1)) {
    throw new ValueError(formatExpected('inverseNormalCdf', 'p', 'a number in (0, 1)', describeValue(p)));
  }
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  const tail = (q: number) =>
    (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  if (p < P_LOW) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** Options of {@link latentGridPoints}. */
export interface LatentGridOptions {
  /** Quantile range the grid spans on both axes. Default `[0.05, 0.95]` (as the Keras VAE example). */
  quantiles?: readonly [number, number];
}

/**
 * Latent codes of the 2-D manifold picture: a `size × size` grid over Φ⁻¹ of evenly spaced quantiles in
 * dims 0 and 1, other dims 0. Row-major: code `i·size + j` is row `i` (top to bottom: dim 1 decreasing) and
 * column `j` (left to right: dim 0 increasing), so the decoded images tile into a picture with the usual axes.
 * @returns float32 `[size * size, latentDim]`
 * @example latentGridPoints(3, 2).arraySync()[0] // [-1.645, 1.645] (top left)
 */
export function latentGridPoints(size: number, latentDim: number, options: LatentGridOptions = {}): tf.Tensor2D {
  const fn = 'latentGridPoints';
  assertPositiveInt(fn, 'size', size);
  if (!(typeof latentDim === 'number' && Number.isInteger(latentDim) && latentDim >= 2)) {
    throw new ConfigError(
      formatExpected(fn, 'latentDim', 'an integer ≥ 2 (the grid spans two latent dims)', describeValue(latentDim)),
    );
  }
  const [low, high] = options.quantiles ?? [0.05, 0.95];
  if (!(low > 0 && high < 1 && low <= high)) {
    throw new ValueError(
      formatExpected(fn, 'options.quantiles', '[low, high] with 0 < low ≤ high < 1', `[${low}, ${high}]`),
    );
  }
  const axis = Array.from({ length: size }, (_, k) =>
    inverseNormalCdf(size === 1 ? (low + high) / 2 : low + ((high - low) * k) / (size - 1)),
  );
  const values = new Float32Array(size * size * latentDim);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const row = (i * size + j) * latentDim;
      values[row] = axis[j] as number;
      values[row + 1] = axis[size - 1 - i] as number;
    }
  }
  return tf.tensor2d(values, [size * size, latentDim]);
}
