import * as tf from '@tensorflow/tfjs-core';
import { addExampleBias, gateBackward, gateForward } from './gate';
import { pointwise } from './ops';

/**
 * The weights of a gated block after its two convolutions, the gate halves joined on channels (float32): the vertical
 * convolution's bias, the 1×1 map into the horizontal stack [2C, 2C], the output 1×1 map [C, C] and its bias [C], the per-class biases [classes, 2C]
 * when conditioned (the vertical one only when the block returns both stacks).
 */
export interface TailWeights {
  /** [2, C] as stored: the vertical convolution's bias. */
  verticalBias: tf.Tensor2D;
  toHorizontal: tf.Tensor2D;
  output: tf.Tensor2D;
  outputBias: tf.Tensor1D;
  verticalClass?: tf.Tensor2D;
  horizontalClass?: tf.Tensor2D;
}

/** What {@link gatedTail} reads besides the weights. */
export interface TailInputs {
  /** The vertical convolution [n, h, w, 2C] (its bias not added yet). */
  verticalConv: tf.Tensor4D;
  /** The horizontal convolution plus its biases [n, h, w, 2C]. */
  horizontalConv: tf.Tensor4D;
  /** Type B: the horizontal input [n, h, w, C], added to the output. */
  residual?: tf.Tensor4D;
  /** One-hot labels [n, classes] when conditioned (no gradient flows to them). */
  labelsOneHot?: tf.Tensor2D;
  /** Both stacks [vertical; horizontal] on the batch axis, [2n, h, w, C], or the horizontal one only, [n, h, w, C]. */
  stacks: boolean;
}

/** The vertical pre-activation: the convolution [..., 2C] plus the [2, C] bias. */
export function addVerticalBias(verticalConv: tf.Tensor4D, bias: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.add(verticalConv, tf.reshape(bias, [-1])) as tf.Tensor4D);
}

/** Adds each example's class bias (one-hot labels [n, classes] times [classes, 2C]) to a pre-activation [n, h, w, 2C]. */
export function addClassBias(pre: tf.Tensor4D, labelsOneHot?: tf.Tensor2D, weights?: tf.Tensor2D): tf.Tensor4D {
  if (!labelsOneHot || !weights) return pre;
  return tf.tidy(() => addExampleBias(pre, classBias(labelsOneHot, weights)));
}

/** Each example's class bias, one-hot labels [n, classes] times [classes, 2C] → [n, 2C]; undefined when unconditioned. */
export function classBias(labelsOneHot?: tf.Tensor2D, weights?: tf.Tensor2D): tf.Tensor2D | undefined {
  return labelsOneHot && weights ? (tf.matMul(labelsOneHot, weights) as tf.Tensor2D) : undefined;
}

/** The output 1×1 map of the gated horizontal stack [n, h, w, C], plus the residual in type B blocks. */
export function horizontalOutput(
  gated: tf.Tensor4D,
  weights: Pick<TailWeights, 'output' | 'outputBias'>,
  residual?: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const out = pointwise(gated, weights.output, weights.outputBias);
    return residual ? (tf.add(out, residual) as tf.Tensor4D) : out;
  });
}

/**
 * Everything a gated block computes after its two convolutions, as one op with its gradient written out: the map from
 * the rows above into the horizontal stack, the class biases, both gates, the output map and the residual. Returns
 * [vertical; horizontal] on the batch axis ([2n, h, w, C]) or the horizontal output ([n, h, w, C]).
 *
 * Why one op: tfjs records every op of a training step on its tape, keeps a handle of each input an op's gradient
 * needs (an Identity kernel call each) and runs each gradient function's own reshapes and casts: of the default
 * prior's 1173 kernel calls a step, 709 were Identity and Reshape. Inside a custom gradient nothing is recorded; the
 * backward pass below is the chain rule of the forward, written with the ops autodiff would run (and
 * `gated-block.test.ts` checks it against autodiff of the first formulation). A step now makes 936 kernel calls, and
 * spends 5–6 ms less outside the kernels (wasm, native kernels).
 */
export function gatedTail(inputs: TailInputs, weights: TailWeights): tf.Tensor4D {
  const { verticalConv, horizontalConv, residual, labelsOneHot, stacks } = inputs;
  const [n, h, w, channels] = verticalConv.shape;
  const c = channels / 2;
  const verticalClass = stacks ? weights.verticalClass : undefined;
  // Differentiated inputs, in order; the labels are read from the closure (no gradient).
  const tensors: tf.Tensor[] = [
    verticalConv,
    horizontalConv,
    weights.verticalBias,
    weights.toHorizontal,
    weights.output,
  ];
  tensors.push(weights.outputBias);
  if (residual) tensors.push(residual);
  if (labelsOneHot && verticalClass) tensors.push(verticalClass);
  if (labelsOneHot && weights.horizontalClass) tensors.push(weights.horizontalClass);

  // how many tensors each gate saved, set by the forward pass for the backward one
  let gates: { fused: boolean; horizontal: number; vertical: number } | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [vConv, hConv, verticalBias, toHorizontal, output, outputBias, ...rest] = args as tf.Tensor[];
    const tail: TailWeights = {
      verticalBias: verticalBias as tf.Tensor2D,
      toHorizontal: toHorizontal as tf.Tensor2D,
      output: output as tf.Tensor2D,
      outputBias: outputBias as tf.Tensor1D,
    };
    let next = 0;
    const residualIn = residual ? (rest[next++] as tf.Tensor4D) : undefined;
    if (labelsOneHot && verticalClass) tail.verticalClass = rest[next++] as tf.Tensor2D;
    if (labelsOneHot && weights.horizontalClass) tail.horizontalClass = rest[next++] as tf.Tensor2D;

    // Row r of the horizontal stack gets the 1×1 map of the vertical pre-activation's row r − 1, row 0 zeros: the
    // product runs on rows 0 … h − 2 and the zero row is padded on after it, the same numbers as shifting the rows
    // down first with (h − 1)/h of the product. (A product with an h×h shift matrix, used before, is a batched
    // matMul that the wasm backend runs as a naive loop: 10 % of a step.)
    const vPre = addVerticalBias(vConv as tf.Tensor4D, tail.verticalBias);
    const above = h > 1 ? (tf.slice(vPre, 0, [n, h - 1, w, channels]) as tf.Tensor4D) : undefined;
    const fromVertical = above
      ? tf.pad(pointwise(above, tail.toHorizontal), ROW_ON_TOP)
      : tf.zeros([n, 1, w, channels]);
    const horizontalPre = tf.add(hConv as tf.Tensor4D, fromVertical) as tf.Tensor4D;
    const hGate = gateForward(horizontalPre, classBias(labelsOneHot, tail.horizontalClass));
    const out = horizontalOutput(hGate.gated, tail, residualIn);
    const vGate = stacks ? gateForward(vPre, classBias(labelsOneHot, tail.verticalClass)) : undefined;
    gates = { fused: hGate.fused, horizontal: hGate.saved.length, vertical: vGate?.saved.length ?? 0 };
    // saved: what each gate's gradient needs, the horizontal gate's output, the rows above (the map's input) and the
    // two matrices the backward pass multiplies by
    save([
      ...hGate.saved,
      hGate.gated,
      ...(vGate ? vGate.saved : []),
      ...(above ? [above] : []),
      tail.toHorizontal,
      tail.output,
      // the labels too (a handle): the caller may dispose them before the backward pass (tf.grads of a loss)
      ...(labelsOneHot ? [labelsOneHot] : []),
    ]);
    return {
      value: vGate ? tf.concat([vGate.gated, out], 0) : out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tailBackward(dy, saved),
    };
  });

  /** The chain rule of the forward above, gradients in the order of `tensors`. */
  function tailBackward(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
    const { fused, horizontal, vertical } = gates!;
    const hSaved = saved.slice(0, horizontal);
    const hGated = saved[horizontal] as tf.Tensor4D;
    const vSaved = stacks ? saved.slice(horizontal + 1, horizontal + 1 + vertical) : undefined;
    let index = horizontal + 1 + vertical;
    const above = h > 1 ? (saved[index++] as tf.Tensor4D) : undefined;
    const toHorizontal = saved[index++] as tf.Tensor2D;
    const output = saved[index++] as tf.Tensor2D;
    const labels = saved[index] as tf.Tensor2D | undefined;
    const [dVerticalGated, dOut] = stacks ? tf.split(dy, 2, 0) : [undefined, dy];

    // out = gated · output + outputBias (+ residual)
    const dOutFlat = tf.reshape(dOut!, [-1, c]) as tf.Tensor2D;
    const dOutput = tf.matMul(tf.reshape(hGated!, [-1, c]) as tf.Tensor2D, dOutFlat, true, false);
    const dOutputBias = tf.sum(dOutFlat, 0);
    const dhGated = tf.reshape(tf.matMul(dOutFlat, output, false, true), [n, h, w, c]) as tf.Tensor4D;
    // the horizontal gate and its class bias; the horizontal convolution gets the same gradient as the pre-activation
    const dhPre = gateBackward(dhGated, { saved: hSaved, fused });
    // the map from the rows above: row r of the horizontal stack read row r − 1 of the vertical pre-activation
    let dVerticalPre: tf.Tensor | undefined;
    let dToHorizontal: tf.Tensor;
    if (above) {
      const dMapped = tf.reshape(tf.slice(dhPre, [0, 1, 0, 0], [n, h - 1, w, channels]), [-1, channels]) as tf.Tensor2D;
      dToHorizontal = tf.matMul(tf.reshape(above, [-1, channels]) as tf.Tensor2D, dMapped, true, false);
      const dAbove = tf.reshape(tf.matMul(dMapped, toHorizontal, false, true), above.shape);
      dVerticalPre = tf.pad(dAbove, ROW_BELOW);
    } else {
      dToHorizontal = tf.zerosLike(toHorizontal);
    }
    let dVerticalClass: tf.Tensor | undefined;
    if (vSaved) {
      const dvPre = gateBackward(dVerticalGated as tf.Tensor4D, { saved: vSaved, fused });
      dVerticalClass = labels ? classBiasGradient(labels, dvPre) : undefined;
      dVerticalPre = dVerticalPre ? tf.add(dVerticalPre, dvPre) : dvPre;
    }
    dVerticalPre ??= tf.zeros([n, h, w, channels]);
    const dVerticalBias = tf.reshape(tf.sum(dVerticalPre, [0, 1, 2]), [2, c]);
    const grads: tf.Tensor[] = [dVerticalPre, dhPre, dVerticalBias, dToHorizontal, dOutput, dOutputBias];
    // dy itself must not be handed back as a gradient (the engine disposes it): a clone when it is dOut
    if (residual) grads.push(stacks ? dOut! : dOut!.clone());
    if (labelsOneHot && verticalClass) grads.push(dVerticalClass!);
    if (labels && weights.horizontalClass) grads.push(classBiasGradient(labels, dhPre));
    return grads;
  }

  return op(...tensors) as tf.Tensor4D;
}

/** Gradient of the [classes, 2C] class-bias weights: Σ over each example's positions, summed by label. */
function classBiasGradient(labelsOneHot: tf.Tensor2D, dPre: tf.Tensor): tf.Tensor2D {
  return tf.matMul(labelsOneHot, tf.sum(dPre, [1, 2]) as tf.Tensor2D, true, false);
}

const ROW_ON_TOP: [number, number][] = [
  [0, 0],
  [1, 0],
  [0, 0],
  [0, 0],
];
const ROW_BELOW: [number, number][] = [
  [0, 0],
  [0, 1],
  [0, 0],
  [0, 0],
];
