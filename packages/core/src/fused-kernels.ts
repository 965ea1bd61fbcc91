import * as tf from '@tensorflow/tfjs-core';

/**
 * Fused kernels a backend may add, and that model packages use where the active backend has them (the same values as
 * the ops they replace, which run everywhere else). `@vaejs/backend` adds them to the wasm backend when its native
 * kernels are loaded; no other backend needs them.
 *
 * - `gatedActivation`: inputs `x` float32 [n, ..., 2C] and, optionally, `bias` float32 [n, 2C] (one row per example,
 *   added at every position of it); output [n, ..., C] = tanh(a) ⊙ sigmoid(b), where a and b are the first and second
 *   C channels of x + bias (the gate of a gated PixelCNN).
 * - `gatedActivationGrad`: inputs `dy` [n, ..., C], `x` and optionally `bias` as above; output [n, ..., 2C], the
 *   gradient w.r.t. x: dy·s·(1 − t²) on the first half and dy·t·s·(1 − s) on the second, t = tanh(a), s = sigmoid(b)
 *   (the bias's gradient is its sum over each example's positions).
 */
export const FUSED_KERNELS = Object.freeze({
  gatedActivation: 'VaejsGatedActivation',
  gatedActivationGrad: 'VaejsGatedActivationGrad',
} as const);

/** Whether the active backend has the fused kernel `name` (one of {@link FUSED_KERNELS}). */
export function hasFusedKernel(name: (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS]): boolean {
  return tf.getKernel(name, tf.getBackend()) != null;
}
