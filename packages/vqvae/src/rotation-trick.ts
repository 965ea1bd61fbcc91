// The rotation trick: Fifty, Junkins, Duan, Iyengar, Liu, Amid, Thrun, Ré (2024), "Restructuring Vector
// Quantization with the Rotation Trick", arXiv:2410.06424. Instead of copying the decoder's gradient to the encoder
// output unchanged (straight-through), the quantised vector is written as a rotation and rescaling of the encoder
// output, λ·R·e with R turning e's direction onto q's and λ = ‖q‖/‖e‖, both held constant (no gradient). Forward it
// is q; backward the encoder gets λ·Rᵀ·g, so the angle between e and its code, and their lengths, shape the gradient.
import * as tf from '@tensorflow/tfjs-core';

const TINY = 1e-12;

type RotationOp = (e: tf.Tensor, q: tf.Tensor) => tf.Tensor;
let rotationOp: RotationOp | null = null;

/**
 * Forward `q`; backward the encoder gets `λ·Rᵀ·g` and the codes nothing. With ê = e/‖e‖, q̂ = q/‖q‖,
 * w = (ê + q̂)/‖ê + q̂‖ and λ = ‖q‖/‖e‖, R = I − 2wwᵀ + 2q̂êᵀ turns ê onto q̂ (the paper's efficient form of its two
 * Householder reflections), so `Rᵀ·g = g − 2w(w·g) + 2ê(q̂·g)`. A zero z_e has no direction to rotate: its gradient
 * passes straight through.
 * @param e float32 [..., D] the encoder outputs z_e
 * @param q float32 [..., D] their codes z_q
 * @returns float32 [..., D], equal to q
 */
export function rotateTo(e: tf.Tensor, q: tf.Tensor): tf.Tensor {
  rotationOp ??= tf.customGrad((eIn, qIn, save) => {
    const [z, code] = [eIn as tf.Tensor, qIn as tf.Tensor];
    (save as (tensors: tf.Tensor[]) => void)([z, code]);
    return {
      value: tf.clone(code),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedE, savedQ] = saved as [tf.Tensor, tf.Tensor];
        return [rotatedGradient(savedE, savedQ, dy), tf.zerosLike(savedQ)];
      },
    };
  }) as RotationOp;
  return rotationOp(e, q);
}

/** λ·Rᵀ·g, row by row over the last axis (g itself where e = 0). */
function rotatedGradient(e: tf.Tensor, q: tf.Tensor, g: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const norm = (x: tf.Tensor) => tf.norm(x, 'euclidean', -1, true);
    const dot = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, b), -1, true);
    const eNorm = norm(e);
    const eUnit = tf.div(e, tf.maximum(eNorm, TINY));
    const qUnit = tf.div(q, tf.maximum(norm(q), TINY));
    const sum = tf.add(eUnit, qUnit);
    const w = tf.div(sum, tf.maximum(norm(sum), TINY));
    const rotated = tf.add(tf.sub(g, tf.mul(2, tf.mul(w, dot(w, g)))), tf.mul(2, tf.mul(eUnit, dot(qUnit, g))));
    const lambda = tf.div(norm(q), tf.maximum(eNorm, TINY));
    return tf.where(tf.broadcastTo(tf.lessEqual(eNorm, TINY), g.shape), g, tf.mul(lambda, rotated));
  });
}
