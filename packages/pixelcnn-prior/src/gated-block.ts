import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, Shape } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';
import { conv2dValid, pointwise } from './ops';

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
 * [n,h,w,2C] = [vertical, horizontal] on channels for type B — or `[x, labelsOneHot [n, numClasses]]` when conditioned.
 * Output [vertical, horizontal] concatenated, [n,h,w,2C], or only the horizontal stack [n,h,w,C] for the last block.
 * (One tensor in and out: tfjs-layers' executor re-runs a multi-output layer once per output.) The methods `verticalPreActivation`, `verticalGate`, `toHorizontal`
 * and `horizontal` are the pieces of `call`, used separately by the cached sampler.
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
    // Type A reads the embedding into both stacks; type B reads the previous block's [vertical, horizontal].
    const inChannels = this.maskType === 'A' ? (xShape[3] as number) : this.filters;
    const half = Math.floor(this.kernelSize / 2);
    const gate = 2 * this.filters;
    const kernel = (name: string, shape: number[], offset: number) => {
      const initializer = tfl.initializers.glorotUniform({ seed: this.seed + offset });
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', initializer);
    };
    const zeros = (name: string, shape: number[]) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', tfl.initializers.zeros());
    };
    kernel('vertical_kernel', [half + 1, this.kernelSize, inChannels, gate], 1);
    zeros('vertical_bias', [gate]);
    kernel('to_horizontal_kernel', [gate, gate], 2);
    zeros('to_horizontal_bias', [gate]);
    kernel('horizontal_kernel', [1, half + 1, inChannels, gate], 3);
    zeros('horizontal_bias', [gate]);
    kernel('output_kernel', [this.filters, this.filters], 4);
    zeros('output_bias', [this.filters]);
    if (this.numClasses > 0) {
      // The last block's vertical output is never used, so it has no vertical class bias.
      const names =
        this.returns === 'stacks' ? ['vertical_class_bias', 'horizontal_class_bias'] : ['horizontal_class_bias'];
      for (const [index, name] of names.entries()) {
        const initializer = tfl.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: this.seed + 5 + index });
        this.weightsByName[name] = this.addWeight(name, [this.numClasses, gate], 'float32', initializer);
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = this.returns === 'stacks' ? 2 * this.filters : this.filters;
    return [xShape[0] ?? null, xShape[1] ?? null, xShape[2] ?? null, channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, labels] = (Array.isArray(inputs) ? inputs : [inputs]) as [tf.Tensor4D, tf.Tensor2D?];
      const [vertical, horizontal] = this.maskType === 'A' ? [x, x] : (tf.split(x, 2, 3) as [tf.Tensor4D, tf.Tensor4D]);
      const verticalPre = this.verticalPreActivation(vertical, true);
      const [n, h, w, c] = verticalPre.shape;
      const shifted = tf.slice(
        tf.pad(verticalPre, [
          [0, 0],
          [1, 0],
          [0, 0],
          [0, 0],
        ]),
        [0, 0, 0, 0],
        [n, h, w, c],
      );
      const horizontalOut = this.horizontal(horizontal, this.toHorizontal(shifted), labels);
      if (this.returns === 'horizontal') return horizontalOut;
      return tf.concat([this.verticalGate(verticalPre, labels), horizontalOut], 3);
    });
  }

  /**
   * Vertical convolution, float32 [n, rows, w, Cv] → [n, rows', w, 2C]. With `padTop` every row r sees input rows
   * r−k//2 … r (zeros above the map) and rows' = rows; without it the convolution is valid along rows and
   * rows' = rows − k//2 (the cached sampler passes exactly k//2+1 rows to get one).
   */
  verticalPreActivation(vertical: tf.Tensor4D, padTop: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const half = Math.floor(this.kernelSize / 2);
      const padded = tf.pad(vertical, [
        [0, 0],
        [padTop ? half : 0, 0],
        [half, half],
        [0, 0],
      ]);
      const kernel = this.read('vertical_kernel') as tf.Tensor4D;
      return tf.add(conv2dValid(padded, kernel), this.read('vertical_bias'));
    });
  }

  /** Vertical output: gate of the pre-activation plus the class bias, [n, rows, w, 2C] → [n, rows, w, C]. */
  verticalGate(verticalPre: tf.Tensor4D, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => gatedActivation(this.addClassBias(verticalPre, 'vertical_class_bias', labelsOneHot)));
  }

  /** 1×1 convolution taking the (already down-shifted) vertical pre-activation into the horizontal stack. */
  toHorizontal(verticalPreShifted: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const kernel = this.read('to_horizontal_kernel') as tf.Tensor2D;
      return tf.add(pointwise(verticalPreShifted, kernel), this.read('to_horizontal_bias'));
    });
  }

  /**
   * Horizontal stack, [n, rows, cols, Ch] plus the vertical contribution [n, rows, cols, 2C] → [n, rows, cols, C].
   * Column c sees columns ≤ c (type B) or < c (type A) of its own row only, so any prefix of columns can be computed
   * alone.
   */
  horizontal(horizontalIn: tf.Tensor4D, fromVertical: tf.Tensor4D, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const half = Math.floor(this.kernelSize / 2);
      const [n, rows, cols, channels] = horizontalIn.shape;
      const source =
        this.maskType === 'A'
          ? tf.slice(
              tf.pad(horizontalIn, [
                [0, 0],
                [0, 0],
                [1, 0],
                [0, 0],
              ]),
              [0, 0, 0, 0],
              [n, rows, cols, channels],
            )
          : horizontalIn;
      const padded = tf.pad(source, [
        [0, 0],
        [0, 0],
        [half, 0],
        [0, 0],
      ]);
      const kernel = this.read('horizontal_kernel') as tf.Tensor4D;
      const pre = tf.add(tf.add(conv2dValid(padded, kernel), this.read('horizontal_bias')), fromVertical);
      const gated = gatedActivation(this.addClassBias(pre as tf.Tensor4D, 'horizontal_class_bias', labelsOneHot));
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

  private addClassBias(pre: tf.Tensor4D, name: string, labelsOneHot?: tf.Tensor2D): tf.Tensor4D {
    if (this.numClasses === 0 || labelsOneHot === undefined) return pre;
    const bias = tf.matMul(labelsOneHot, this.read(name) as tf.Tensor2D);
    return tf.add(pre, tf.reshape(bias, [bias.shape[0], 1, 1, 2 * this.filters]));
  }
}

/** `tanh(a) ⊙ sigmoid(b)` where the channels split as [a, b]: [..., 2C] → [..., C]. */
export function gatedActivation(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [a, b] = tf.split(x, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return tf.mul(tf.tanh(a), tf.sigmoid(b));
  });
}

tf.serialization.registerClass(GatedPixelCnnBlock);
