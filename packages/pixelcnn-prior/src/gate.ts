import * as tf from '@tensorflow/tfjs-core';
import { FUSED_KERNELS, hasFusedKernels } from '@vaejs/core';

/** The two halves of a gate's pre-activation, each float32 [n, h, w, C]: tanh(first) ⊙ sigmoid(second). */
export type GatePair = [tf.Tensor4D, tf.Tensor4D];

/** `tanh(a) ⊙ sigmoid(b)`, 2 × [..., C] → [..., C]. */
export function gatedActivation([a, b]: GatePair): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.tanh(a), tf.sigmoid(b)));
}

/**
 * The forward pass of {@link gate}: its output and what its gradient needs (`saved`, handed back to
 * {@link gateBackward} with `fused`). Where the active backend has @vaejs/core's fused gate kernels (the wasm backend
 * with @vaejs/backend's native kernels), the gate is one kernel call each way and keeps its input (and bias); elsewhere
 * it is tfjs ops and keeps t = tanh(a) and s = sigmoid(b). Both give the same values.
 */
export interface GateForward {
  gated: tf.Tensor4D;
  saved: tf.Tensor[];
  fused: boolean;
}

/**
 * {@link gatedActivation} of a pre-activation holding both halves on channels, [n, ..., 2C] → [n, ..., C], plus a
 * per-example `bias` [n, 2C] (added at every position) when there is one.
 */
export function gateForward(pre: tf.Tensor4D, bias?: tf.Tensor2D): GateForward {
  if (fusedGate()) {
    const inputs: tf.NamedTensorMap = bias ? { x: pre, bias } : { x: pre };
    const gated = tf.engine().runKernel(FUSED_KERNELS.gatedActivation, inputs) as tf.Tensor4D;
    return { gated, saved: bias ? [pre, bias] : [pre], fused: true };
  }
  const [a, b] = tf.split(addExampleBias(pre, bias), 2, 3) as GatePair;
  const t = tf.tanh(a);
  const s = tf.sigmoid(b);
  return { gated: tf.mul(t, s), saved: [t, s], fused: false };
}

/**
 * The gradient of the gate w.r.t. its pre-activation (and so its bias), dy [..., C] → [..., 2C], from what
 * {@link gateForward} saved. Unfused: with t = tanh(a), s = sigmoid(b), u = dy·s and v = u·t, da = dy·s·(1 − t²) =
 * u − v·t and db = dy·t·s·(1 − s) = v − v·s: six products and differences of same-shaped tensors, where tfjs' own
 * gradients of split, tanh, sigmoid and mul take eleven ops, two of them casts that copy (mul's gradient casts its
 * operands) and a concat on the last axis, which wasm copies 64 values at a time (1.6 ms for [128, 7, 7, 128]). The
 * halves go back onto channels through the batch axis and a transpose instead (0.26 ms). Fused: one kernel call that
 * computes t and s again from the input (the same loops, so the same values) and the same products.
 */
export function gateBackward(dy: tf.Tensor4D, { saved, fused }: Pick<GateForward, 'saved' | 'fused'>): tf.Tensor4D {
  if (fused) {
    const [x, bias] = saved;
    const inputs: tf.NamedTensorMap = bias ? { dy, x: x!, bias } : { dy, x: x! };
    return tf.engine().runKernel(FUSED_KERNELS.gatedActivationGrad, inputs) as tf.Tensor4D;
  }
  const [t, s] = saved as [tf.Tensor, tf.Tensor];
  const u = tf.mul(dy, s);
  const v = tf.mul(u, t);
  const da = tf.sub(u, tf.mul(v, t));
  const db = tf.sub(v, tf.mul(v, s));
  const [n, h, w, c] = dy.shape;
  const stacked = tf.reshape(tf.concat([da, db], 0), [2, -1, c]);
  return tf.reshape(tf.transpose(stacked, [1, 0, 2]), [n, h, w, 2 * c]);
}

/** `pre` [n, h, w, K] plus each example's `bias` [n, K] at every position; `pre` itself when there is none. */
export function addExampleBias(pre: tf.Tensor4D, bias?: tf.Tensor2D): tf.Tensor4D {
  return bias ? (tf.add(pre, tf.reshape(bias, [bias.shape[0], 1, 1, bias.shape[1]])) as tf.Tensor4D) : pre;
}

/** Whether the active backend has both fused gate kernels. */
function fusedGate(): boolean {
  return hasFusedKernels(FUSED_KERNELS.gatedActivation, FUSED_KERNELS.gatedActivationGrad);
}

/** {@link gatedActivation} of a pre-activation holding both halves on channels, [..., 2C] → [..., C]. */
export function gate(pre: tf.Tensor4D): tf.Tensor4D {
  gateOp ??= tf.customGrad((input, save) => {
    const { gated, saved, fused } = gateForward(input as tf.Tensor4D);
    (save as tf.GradSaveFunc)(saved);
    return {
      value: gated,
      gradFunc: (dy: tf.Tensor, kept: tf.Tensor[]) => gateBackward(dy as tf.Tensor4D, { saved: kept, fused }),
    };
  }) as (pre: tf.Tensor) => tf.Tensor;
  return gateOp(pre) as tf.Tensor4D;
}

// Built on first use so that importing touches no tfjs engine state.
let gateOp: ((pre: tf.Tensor) => tf.Tensor) | undefined;
