import * as tf from '@tensorflow/tfjs-core';

/**
 * A 1×1 convolution as one matrix product over the last axis (its gradient is matrix products too).
 * @param x float32 [..., Cin]
 * @param kernel float32 [Cin, Cout]
 * @returns float32 [..., Cout]
 */
export function pointwise<T extends tf.Tensor>(x: T, kernel: tf.Tensor2D): T {
  return tf.tidy(() => {
    const inChannels = kernel.shape[0];
    const flat = tf.reshape(x, [-1, inChannels]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(flat, kernel), [...x.shape.slice(0, -1), kernel.shape[1]]) as T;
  });
}
