import * as tf from '@tensorflow/tfjs-core';

/**
 * A 1×1 convolution as one matrix product over the last axis (its gradient is matrix products too), plus an optional
 * bias added in the same kernel.
 * @param x float32 [..., Cin]
 * @param kernel float32 [Cin, Cout]
 * @param bias float32 [Cout]
 * @returns float32 [..., Cout]
 */
export function pointwise<T extends tf.Tensor>(x: T, kernel: tf.Tensor2D, bias?: tf.Tensor1D): T {
  return tf.tidy(() => {
    const inChannels = kernel.shape[0];
    const flat = tf.reshape(x, [-1, inChannels]) as tf.Tensor2D;
    const product = bias ? tf.fused.matMul({ a: flat, b: kernel, bias }) : tf.matMul(flat, kernel);
    return tf.reshape(product, [...x.shape.slice(0, -1), kernel.shape[1]]) as T;
  });
}
