import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, Shape } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { pointwise } from './ops';

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
  /** `'stacks'`: output [vertical, horizontal] concatenated on channels (2C); `'horizontal'` (last block): C. */
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
    // Gate weights carry the two halves (tanh, sigmoid) on a leading axis of 2: slicing that axis is contiguous,
    // where splitting channels is an element-by-element copy on the cpu backend.
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
      const [x, labels] = (Array.isArray(inputs) ? inputs : [inputs]) as [tf.Tensor4D, tf.Tensor2D?];
      let vertical = x;
      let horizontal = x;
      if (this.maskType === 'B') {
        const n = (x.shape[0] as number) / 2;
        [vertical, horizontal] = [tf.slice(x, 0, n), tf.slice(x, n, n)];
      }
      const verticalPre = this.verticalPreActivation(vertical, true);
      const horizontalOut = this.horizontal(horizontal, this.toHorizontal(downShift(verticalPre)), labels);
      if (this.returns === 'horizontal') return horizontalOut;
      return tf.concat([this.verticalGate(verticalPre, labels), horizontalOut], 0);
    });
  }

  /**
   * Vertical convolution, float32 [n, rows, w, Cv] → the two gate halves, each [n, rows', w, C]. With `padTop` every
   * row r sees input rows r−k//2 … r (zeros above the map) and rows' = rows; without it the convolution is valid
   * along rows and rows' = rows − k//2 (the cached sampler passes exactly k//2+1 rows to get one).
   */
  verticalPreActivation(vertical: tf.Tensor4D, padTop: boolean): GatePair {
    return tf.tidy(() => {
      const half = Math.floor(this.kernelSize / 2);
      const padded = tf.pad(vertical, [
        [0, 0],
        [padTop ? half : 0, 0],
        [half, half],
        [0, 0],
      ]);
      return this.gateConv(padded, 'vertical_kernel', 'vertical_bias');
    });
  }

  /** Vertical output: gate of the pre-activation plus the class bias, 2 × [n, rows, w, C] → [n, rows, w, C]. */
  verticalGate(verticalPre: GatePair, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => gatedActivation(this.addClassBias(verticalPre, 'vertical_class_bias', labelsOneHot)));
  }

  /** 1×1 convolution taking the (already down-shifted) vertical pre-activation into the horizontal stack. */
  toHorizontal(verticalPreShifted: GatePair): GatePair {
    return tf.tidy(() => {
      const kernels = tf.unstack(this.read('to_horizontal_kernel')) as tf.Tensor3D[];
      const biases = tf.unstack(this.read('to_horizontal_bias'));
      const [fromA, fromB] = kernels.map((k) => tf.unstack(k) as tf.Tensor2D[]) as [tf.Tensor2D[], tf.Tensor2D[]];
      const [a, b] = verticalPreShifted;
      return [0, 1].map((out) =>
        tf.add(tf.add(pointwise(a, fromA[out] as tf.Tensor2D), pointwise(b, fromB[out] as tf.Tensor2D)), biases[out]!),
      ) as GatePair;
    });
  }

  /**
   * Horizontal stack, [n, rows, cols, Ch] plus the vertical contribution 2 × [n, rows, cols, C] → [n, rows, cols, C].
   * Column c sees columns ≤ c (type B) or < c (type A) of its own row only, so any prefix of columns can be computed
   * alone.
   */
  horizontal(horizontalIn: tf.Tensor4D, fromVertical: GatePair, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const half = Math.floor(this.kernelSize / 2);
      const source = this.maskType === 'A' ? rightShift(horizontalIn) : horizontalIn;
      const padded = tf.pad(source, [
        [0, 0],
        [0, 0],
        [half, 0],
        [0, 0],
      ]);
      const own = this.gateConv(padded, 'horizontal_kernel', 'horizontal_bias');
      const pre = [tf.add(own[0], fromVertical[0]), tf.add(own[1], fromVertical[1])] as GatePair;
      const gated = gatedActivation(this.addClassBias(pre, 'horizontal_class_bias', labelsOneHot));
      const outputKernel = this.read('output_kernel') as tf.Tensor2D;
      const out = tf.add(pointwise(gated, outputKernel), this.read('output_bias')) as tf.Tensor4D;
      return this.maskType === 'A' ? out : tf.add(out, horizontalIn);
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

  /** Valid convolution of `x` by each half of a [2, kh, kw, Cin, C] kernel, plus the [2, C] bias. */
  private gateConv(x: tf.Tensor4D, kernelName: string, biasName: string): GatePair {
    const kernels = tf.unstack(this.read(kernelName)) as tf.Tensor4D[];
    const biases = tf.unstack(this.read(biasName));
    return [0, 1].map((half) => tf.add(tf.conv2d(x, kernels[half]!, 1, 'valid'), biases[half]!)) as GatePair;
  }

  private addClassBias(pre: GatePair, name: string, labelsOneHot?: tf.Tensor2D): GatePair {
    if (this.numClasses === 0 || labelsOneHot === undefined) return pre;
    const weights = tf.unstack(this.read(name)) as tf.Tensor2D[];
    return pre.map((half, index) => {
      const bias = tf.matMul(labelsOneHot, weights[index]!);
      return tf.add(half, tf.reshape(bias, [bias.shape[0], 1, 1, this.filters]));
    }) as GatePair;
  }
}

/** The two halves of a gate's pre-activation, each float32 [n, h, w, C]: tanh(first) ⊙ sigmoid(second). */
export type GatePair = [tf.Tensor4D, tf.Tensor4D];

/** `tanh(a) ⊙ sigmoid(b)`, 2 × [..., C] → [..., C]. */
export function gatedActivation([a, b]: GatePair): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.tanh(a), tf.sigmoid(b)));
}

/**
 * Shifts each half down one row (row 0 becomes zeros, the last row drops), [n, h, w, C] → [n, h, w, C]: a pad at the
 * top and a slice of the first h rows; exact, its gradient the reverse slice and pad. (A product with an h×h shift
 * matrix, used before, is a batched matMul that the wasm backend runs as a naive loop: 10 % of a training step.)
 */
export function downShift(pair: GatePair): GatePair {
  return tf.tidy(() => pair.map((x) => shiftAlong(x, 1)) as GatePair);
}

/** Shifts columns right by one (column 0 becomes zeros), [n, h, w, C] → [n, h, w, C]. */
export function rightShift(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => shiftAlong(x, 2));
}

/** x shifted by one position along `axis` (1: rows, 2: columns), zeros coming in. */
function shiftAlong(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const padding: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  padding[axis] = [1, 0];
  return tf.slice(tf.pad(x, padding), [0, 0, 0, 0], x.shape) as tf.Tensor4D;
}

tf.serialization.registerClass(GatedPixelCnnBlock);
