import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, Shape } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { gate } from './gate';
import { addClassBias, addVerticalBias, gatedTail, horizontalOutput, type TailWeights } from './gated-tail';
import { pointwise } from './ops';

export { type GatePair, gatedActivation } from './gate';

/** Constructor arguments (and serialised config) of {@link GatedPixelCnnBlock}. */
export interface GatedPixelCnnBlockArgs {
  /** Channels C of both stacks' outputs; the gates work on 2C. */
  filters: number;
  /** Odd k ≥ 3: the vertical convolution is (k//2+1)×k, the horizontal one 1×(k//2+1). */
  kernelSize: number;
  /** `'A'` for the first block (the current position is hidden, no residual), `'B'` after. */
  maskType: 'A' | 'B';
  /** Label classes of the per-class gate biases; 0 = unconditioned (no third input). */
  numClasses: number;
  /** Seed of the initialisers. */
  seed: number;
  /** `'stacks'`: output [vertical; horizontal] on the batch axis, [2n, h, w, C]; `'horizontal'` (last block): [n, h, w, C]. */
  returns: 'stacks' | 'horizontal';
  name?: string;
  trainable?: boolean;
}

/**
 * One block of the gated PixelCNN (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN Decoders"),
 * made causal by shifted and cropped convolutions instead of masks:
 *
 * - vertical stack: pad k//2 rows on top and k//2 columns either side, then a (k//2+1)×k convolution, so row r sees the
 *   input rows r−k//2 … r (never a later row);
 * - the vertical pre-activation is shifted down one row and passed through a 1×1 convolution into the horizontal
 *   stack, so position (r, c) of the horizontal stack only sees rows above r from the vertical one;
 * - horizontal stack: pad k//2 columns on the left, then a 1×(k//2+1) convolution; in a type A block the input is first
 *   shifted right one column so the current position is hidden;
 * - gates `tanh(a) ⊙ sigmoid(b)` on both stacks, each with an optional learned per-class bias;
 * - 1×1 convolution on the horizontal output, plus a residual connection in type B blocks.
 *
 * Each stack is one convolution to 2C channels (both gate halves), the four 1×1 maps between the halves of the two
 * stacks one [2C, 2C] product, each class bias one product: the stored weights keep their halves on a leading axis of
 * 2 (the checkpoint layout), joined by weight-sized transposes at each call. What follows the two convolutions is one
 * op with its gradient written out (`gatedTail`). The first formulation (per-half convolutions after pads, unstacked
 * kernels, four products, autodiff throughout) is kept in `gated-block.test.ts`, which checks that both compute the
 * same values and gradients; on wasm with native kernels it cost the default prior's training step a quarter more
 * CPU time (profile-step: 328 against 263 CPU ms, medians of 7 alternating runs).
 *
 * Input `x` float32 — the embedding [n,h,w,E] for type A (fed to both stacks), the previous block's output
 * [2n,h,w,C] = [vertical; horizontal] on the batch axis for type B — or `[x, labelsOneHot [n, numClasses]]` when conditioned.
 * Output [vertical; horizontal] stacked on the batch axis, [2n,h,w,C], or only the horizontal stack [n,h,w,C] for
 * the last block. (One tensor in and out: tfjs-layers' executor re-runs a multi-output layer once per output; the
 * batch axis, not channels, because slicing it is contiguous.) The methods `verticalPreActivation`,
 * `verticalGate`, `toHorizontal` and `horizontal` are the pieces of `call`, used separately by the cached sampler.
 */
export class GatedPixelCnnBlock extends tfl.layers.Layer {
  static className = 'VaejsGatedPixelCnnBlock';
  readonly filters: number;
  readonly kernelSize: number;
  readonly maskType: 'A' | 'B';
  readonly numClasses: number;
  readonly seed: number;
  readonly returns: 'stacks' | 'horizontal';
  private weightsByName: Record<string, LayerVariable> = {};

  constructor(args: GatedPixelCnnBlockArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    // tfjs-layers snake-cases string values when it serialises a config ('A' → 'a'): normalise back.
    this.maskType = String(args.maskType).toUpperCase() === 'A' ? 'A' : 'B';
    this.numClasses = args.numClasses;
    this.seed = args.seed;
    this.returns = args.returns;
  }

  override build(inputShape: Shape | Shape[]): void {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    // Type A reads the embedding into both stacks; type B reads the previous block's [vertical; horizontal].
    const inChannels = this.maskType === 'A' ? (xShape[3] as number) : this.filters;
    const half = Math.floor(this.kernelSize / 2);
    const c = this.filters;
    // Gate weights carry the two halves (tanh, sigmoid) on a leading axis of 2, as checkpoints store them; `call`
    // joins them on channels.
    const kernel = (name: string, shape: number[], offset: number) => {
      const initializer = tfl.initializers.glorotUniform({ seed: this.seed + offset });
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', initializer);
    };
    const zeros = (name: string, shape: number[]) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', tfl.initializers.zeros());
    };
    kernel('vertical_kernel', [2, half + 1, this.kernelSize, inChannels, c], 1);
    zeros('vertical_bias', [2, c]);
    kernel('to_horizontal_kernel', [2, 2, c, c], 2); // [input half, output half, C, C]
    zeros('to_horizontal_bias', [2, c]);
    kernel('horizontal_kernel', [2, 1, half + 1, inChannels, c], 3);
    zeros('horizontal_bias', [2, c]);
    kernel('output_kernel', [c, c], 4);
    zeros('output_bias', [c]);
    if (this.numClasses > 0) {
      // The last block's vertical output is never used, so it has no vertical class bias.
      const names =
        this.returns === 'stacks' ? ['vertical_class_bias', 'horizontal_class_bias'] : ['horizontal_class_bias'];
      for (const [index, name] of names.entries()) {
        const initializer = tfl.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: this.seed + 5 + index });
        this.weightsByName[name] = this.addWeight(name, [2, this.numClasses, c], 'float32', initializer);
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [xShape[0] ?? null, xShape[1] ?? null, xShape[2] ?? null, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, labelsOneHot] = (Array.isArray(inputs) ? inputs : [inputs]) as [tf.Tensor4D, tf.Tensor2D?];
      // One split (its gradient one concat) rather than two slices (two pads and an add).
      const [vertical, horizontal] = (this.maskType === 'B' ? tf.split(x, 2, 0) : [x, x]) as tf.Tensor4D[];
      const tailInputs = {
        verticalConv: this.verticalConv(vertical!, true),
        horizontalConv: this.horizontalConv(horizontal!),
        residual: this.maskType === 'B' ? horizontal : undefined,
        labelsOneHot: this.numClasses > 0 ? labelsOneHot : undefined,
        stacks: this.returns === 'stacks',
      };
      return gatedTail(tailInputs, this.tailWeights());
    });
  }

  /**
   * Vertical convolution, float32 [n, rows, w, Cv] → both gate halves on channels, [n, rows', w, 2C] (tanh half
   * first). With `padTop` every row r sees input rows r−k//2 … r (zeros above the map) and rows' = rows; without it
   * the convolution is valid along rows and rows' = rows − k//2 (the cached sampler passes exactly k//2+1 rows).
   */
  verticalPreActivation(vertical: tf.Tensor4D, padTop: boolean): tf.Tensor4D {
    return tf.tidy(() => addVerticalBias(this.verticalConv(vertical, padTop), this.read('vertical_bias')));
  }

  /** Vertical output: gate of the pre-activation plus the class bias, [n, rows, w, 2C] → [n, rows, w, C]. */
  verticalGate(verticalPre: tf.Tensor4D, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => gate(addClassBias(verticalPre, labelsOneHot, this.classWeights('vertical_class_bias'))));
  }

  /**
   * 1×1 convolution taking the (already down-shifted) vertical pre-activation into the horizontal stack, [..., 2C] →
   * [..., 2C], without its bias (`horizontal` adds it with its own).
   */
  toHorizontal(verticalPreShifted: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => pointwise(verticalPreShifted, this.toHorizontalKernel()));
  }

  /**
   * Horizontal stack, [n, rows, cols, Ch] plus the vertical contribution [n, rows, cols, 2C] (from `toHorizontal`) →
   * [n, rows, cols, C]. Column c sees columns ≤ c (type B) or < c (type A) of its own row only, so any prefix of
   * columns can be computed alone. The same ops as `call`'s, in the same order: the same numbers.
   */
  horizontal(horizontalIn: tf.Tensor4D, fromVertical: tf.Tensor4D, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const pre = tf.add(this.horizontalConv(horizontalIn), fromVertical) as tf.Tensor4D;
      const gated = gate(addClassBias(pre, labelsOneHot, this.classWeights('horizontal_class_bias')));
      const output = this.read('output_kernel') as tf.Tensor2D;
      const outputBias = this.read('output_bias') as tf.Tensor1D;
      return horizontalOutput(gated, { output, outputBias }, this.maskType === 'B' ? horizontalIn : undefined);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      maskType: this.maskType,
      numClasses: this.numClasses,
      seed: this.seed,
      returns: this.returns,
    };
  }

  // helpers

  private read(name: string): tf.Tensor {
    const variable = this.weightsByName[name];
    if (!variable) throw new Error(`GatedPixelCnnBlock: weight ${name} read before build.`);
    return variable.read();
  }

  /** `verticalPreActivation` without the bias. */
  private verticalConv(vertical: tf.Tensor4D, padTop: boolean): tf.Tensor4D {
    const half = Math.floor(this.kernelSize / 2);
    return this.gateConv(vertical, 'vertical_kernel', [padTop ? half : 0, 0], [half, half]);
  }

  /**
   * The horizontal convolution plus both biases of the horizontal pre-activation (its own and the 1×1 map's, added
   * by the convolution), [n, rows, cols, Ch] → [n, rows, cols, 2C]: column c sees columns c − k//2 … c of its row,
   * or c − k//2 − 1 … c − 1 in a type A block (the input shifted right one column, the current position hidden).
   */
  private horizontalConv(horizontalIn: tf.Tensor4D): tf.Tensor4D {
    const half = Math.floor(this.kernelSize / 2);
    let source = horizontalIn;
    let padLeft = half;
    if (this.maskType === 'A') {
      // k//2 + 1 zero columns on the left and the last column dropped: the right shift and the pad in one.
      const [n, rows, cols, channels] = horizontalIn.shape;
      source = tf.slice(
        tf.pad(horizontalIn, [
          [0, 0],
          [0, 0],
          [half + 1, 0],
          [0, 0],
        ]),
        0,
        [n, rows, cols + half, channels],
      ) as tf.Tensor4D;
      padLeft = 0;
    }
    const horizontalBias = tf.reshape(this.read('horizontal_bias'), [-1]);
    const bias = tf.add(horizontalBias, tf.reshape(this.read('to_horizontal_bias'), [-1])) as tf.Tensor1D;
    return this.gateConv(source, 'horizontal_kernel', [0, 0], [padLeft, 0], bias);
  }

  /** The weights `gatedTail` reads, the gate halves joined on channels (weight-sized transposes). */
  private tailWeights(): TailWeights {
    return {
      verticalBias: this.read('vertical_bias') as tf.Tensor2D,
      toHorizontal: this.toHorizontalKernel(),
      output: this.read('output_kernel') as tf.Tensor2D,
      outputBias: this.read('output_bias') as tf.Tensor1D,
      verticalClass: this.returns === 'stacks' ? this.classWeights('vertical_class_bias') : undefined,
      horizontalClass: this.classWeights('horizontal_class_bias'),
    };
  }

  /** [input half, output half, C, C] → [input half, C, output half, C] → [2C, 2C]: one product for the four. */
  private toHorizontalKernel(): tf.Tensor2D {
    const c = this.filters;
    return tf.reshape(tf.transpose(this.read('to_horizontal_kernel'), [0, 2, 1, 3]), [2 * c, 2 * c]);
  }

  /** A [2, classes, C] class bias as [classes, 2C]; undefined when unconditioned. */
  private classWeights(name: string): tf.Tensor2D | undefined {
    return this.numClasses > 0 ? (joinHalves(this.read(name)) as tf.Tensor2D) : undefined;
  }

  /**
   * Convolution of `x` by both halves of a [2, kh, kw, Cin, C] kernel at once, with `rows` and `cols` [before, after]
   * zeros around the map: [n, h, w, Cin] → [n, h', w', 2C]. The stored halves become one [kh, kw, Cin, 2C] kernel (a
   * weight-sized transpose), so that each stack is one convolution, not two. A `bias` [2C] is added by the
   * convolution's kernel; it must be the result of an op, not a reshape (wasm's fused kernels check the rank the
   * tensor's memory was made with, and refuse a reshaped [2, C]).
   */
  private gateConv(
    x: tf.Tensor4D,
    kernelName: string,
    rows: [number, number],
    cols: [number, number],
    bias?: tf.Tensor1D,
  ): tf.Tensor4D {
    const filter = joinHalves(this.read(kernelName)) as tf.Tensor4D;
    let input = x;
    let pad: tf.backend_util.ExplicitPadding | 'valid' = [[0, 0], rows, cols, [0, 0]];
    if (!explicitPadding()) {
      input = tf.pad(x, pad);
      pad = 'valid';
    }
    return bias ? tf.fused.conv2d({ x: input, filter, strides: 1, pad, bias }) : tf.conv2d(input, filter, 1, pad);
  }
}

/**
 * How the block's convolutions pad: `explicit` undefined decides by the backend (tests set it to run both ways).
 * Explicit padding in the convolution saves a padded copy of the input and its gradient's slice, but tfjs-node's
 * convolution gradients accept only 'valid' and 'same' ("TF Backend supports only 'valid' and 'same' padding",
 * tfjs-node 4.22): there, a pad before a 'valid' convolution.
 */
export const convolutionPadding: { explicit?: boolean } = {};

function explicitPadding(): boolean {
  return convolutionPadding.explicit ?? tf.getBackend() !== 'tensorflow';
}

/**
 * A weight whose gate halves lie on a leading axis of 2, [2, ..., C], as one tensor [..., 2C] whose channels are the
 * first half's then the second's (a weight-sized transpose; rank 3 because wasm transposes rank 5 element by element).
 */
function joinHalves(weight: tf.Tensor): tf.Tensor {
  const c = weight.shape[weight.rank - 1] as number;
  const joined = tf.transpose(weight.rank === 3 ? weight : tf.reshape(weight, [2, -1, c]), [1, 0, 2]);
  return tf.reshape(joined, [...weight.shape.slice(1, -1), 2 * c]);
}

tf.serialization.registerClass(GatedPixelCnnBlock);
