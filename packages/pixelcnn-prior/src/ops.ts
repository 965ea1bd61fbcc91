import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.conv2d(x, kernel, 1, 'valid')` with a faster kernel gradient. tfjs' cpu backend computes the kernel gradient
 * (Conv2DBackpropFilter) element by element through TensorBuffer accessors, about 50× slower than its forward
 * convolution; here it is one forward convolution of the transposed input by the transposed output gradient:
 * dW[a, b, i, o] = Σ_{n,y,x} x[n, a+y, b+x, i] · dy[n, y, x, o] = conv2d(xᵀ [i, H, W, n], dyᵀ [y, x, n, o]).
 * Same values as tfjs' gradient up to float rounding; other backends are unaffected in kind.
 * @param x float32 [n, H, W, Cin] (already padded)
 * @param kernel float32 [kh, kw, Cin, Cout]
 * @returns float32 [n, H − kh + 1, W − kw + 1, Cout]
 */
export function conv2dValid(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  return convWithFastFilterGrad(x, kernel) as tf.Tensor4D;
}

const convWithFastFilterGrad = tf.customGrad((...args: unknown[]) => {
  const [x, kernel, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
  save([x, kernel]);
  return {
    value: tf.conv2d(x, kernel, 1, 'valid'),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [savedX, savedKernel] = saved as [tf.Tensor4D, tf.Tensor4D];
      const dy4 = dy as tf.Tensor4D;
      const dx = tf.conv2dTranspose(dy4, savedKernel, savedX.shape, 1, 'valid');
      const xT = tf.transpose(savedX, [3, 1, 2, 0]) as tf.Tensor4D;
      const dyT = tf.transpose(dy4, [1, 2, 0, 3]) as tf.Tensor4D;
      const dKernel = tf.transpose(tf.conv2d(xT, dyT, 1, 'valid'), [1, 2, 0, 3]);
      return [dx, dKernel];
    },
  };
});

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
