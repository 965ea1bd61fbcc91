/**
 * Stop-gradient and the straight-through estimator. tfjs has no `stopGradient` op, so both are built with
 * `tf.customGrad`: the forward pass is an identity, the backward pass is chosen by hand.
 *
 * - `stopGradient(x)` = x forward, 0 backward (`sg` in van den Oord et al. 2017).
 * - `straightThrough(input, output)` = output forward; backward, dy flows to `input` unchanged and nothing to
 *   `output` — the same as `input + sg(output - input)` (Bengio et al. 2013), without the rounding error of the sum.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertDtype, assertSameShape, assertTensor } from './checks';

type Unary = (x: tf.Tensor) => tf.Tensor;
type Binary = (input: tf.Tensor, output: tf.Tensor) => tf.Tensor;

let stopGradientOp: Unary | undefined;
let straightThroughOp: Binary | undefined;

// Built lazily so that importing the package touches no tfjs engine state.
function getStopGradientOp(): Unary {
  stopGradientOp ??= tf.customGrad((x) => ({
    value: (x as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as Unary;
  return stopGradientOp;
}

function getStraightThroughOp(): Binary {
  straightThroughOp ??= tf.customGrad((_input, output) => ({
    value: (output as tf.Tensor).clone(),
    gradFunc: (dy: tf.Tensor) => [dy.clone(), tf.zerosLike(dy)],
  })) as unknown as Binary;
  return straightThroughOp;
}

/**
 * Identity forward, zero gradient backward.
 * @param x float32 tensor of any shape
 * @returns float32, same shape and values as `x`; gradients through it are zero
 * @example
 * const loss = tf.sum(tf.square(tf.sub(stopGradient(zE), zQ))); // codebook loss: no gradient to the encoder
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  assertDtype('stopGradient', 'x', x, 'float32');
  return getStopGradientOp()(x) as T;
}

/**
 * Straight-through estimator: returns `output` forward, while the gradient with respect to the result is passed to
 * `input` unchanged and `output` gets a zero gradient. Equivalent to `input + stopGradient(output - input)`.
 * @param input float32 [...] the tensor that receives the gradient (e.g. the encoder output z_e)
 * @param output float32, same shape: the value forward (e.g. the quantised z_q)
 * @returns float32, same shape, equal to `output`
 * @example
 * const zST = straightThrough(zE, zQ); // decoder sees zQ, encoder gets the decoder's gradient
 */
export function straightThrough<T extends tf.Tensor>(input: T, output: T): T {
  assertTensor('straightThrough', 'input', input);
  assertTensor('straightThrough', 'output', output);
  assertDtype('straightThrough', 'input', input, 'float32');
  assertDtype('straightThrough', 'output', output, 'float32');
  assertSameShape('straightThrough', 'input', input, 'output', output);
  return getStraightThroughOp()(input, output) as T;
}
