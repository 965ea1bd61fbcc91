import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable, Shape } from '@tensorflow/tfjs-layers';
import * as tfl from '@tensorflow/tfjs-layers';

/** Constructor arguments (and serialised config) of {@link MaskedConv2D}. */
export interface MaskedConv2DArgs {
  /** Output channels. */
  filters: number;
  /** Odd k ≥ 3, the kernel is k×k. */
  kernelSize: number;
  /** `'A'`: the centre tap is masked (first layer); `'B'`: the centre tap is kept (later layers). */
  maskType: 'A' | 'B';
  /** Label classes of a learned per-class bias; 0 = unconditioned (no second input). */
  numClasses: number;
  /** Seed of the initialisers. */
  seed: number;
  name?: string;
  trainable?: boolean;
}

/**
 * The masked convolution of PixelCNN (van den Oord et al. 2016, "Pixel Recurrent Neural Networks"): a k×k
 * convolution, 'same' padding, whose kernel is multiplied in `call` by a constant raster-order mask, so the output at
 * (r, c) sees only the rows above r and the columns left of c in row r (plus (r, c) itself for type B).
 *
 * Inputs `x` float32 [n, h, w, Cin], or `[x, labelsOneHot [n, numClasses]]` when conditioned; output [n, h, w, filters].
 */
export class MaskedConv2D extends tfl.layers.Layer {
  static className = 'VaejsMaskedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly maskType: 'A' | 'B';
  readonly numClasses: number;
  readonly seed: number;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;
  private classBias?: LayerVariable;

  constructor(args: MaskedConv2DArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    // tfjs-layers snake-cases string values when it serialises a config ('A' → 'a'): normalise back.
    this.maskType = String(args.maskType).toUpperCase() === 'A' ? 'A' : 'B';
    this.numClasses = args.numClasses;
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inChannels = xShape[3] as number;
    const k = this.kernelSize;
    const seed = this.seed;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, inChannels, this.filters],
      'float32',
      tfl.initializers.glorotUniform({ seed }),
    );
    this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    if (this.numClasses > 0) {
      const initializer = tfl.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: seed + 1 });
      this.classBias = this.addWeight('class_bias', [this.numClasses, this.filters], 'float32', initializer);
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
      const kernel = this.kernel!.read() as tf.Tensor4D;
      const masked = tf.mul(kernel, causalMask(this.kernelSize, this.maskType)) as tf.Tensor4D;
      const half = Math.floor(this.kernelSize / 2);
      const padded = tf.pad(x, [
        [0, 0],
        [half, half],
        [half, half],
        [0, 0],
      ]);
      const out = tf.add(tf.conv2d(padded, masked, 1, 'valid'), this.bias!.read());
      if (!this.classBias || !labelsOneHot) return out;
      const bias = tf.matMul(labelsOneHot, this.classBias.read() as tf.Tensor2D);
      return tf.add(out, tf.reshape(bias, [bias.shape[0], 1, 1, this.filters]));
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
    };
  }
}

/**
 * The raster-order mask of a k×k kernel, float32 [k, k, 1, 1] (broadcast over channels): 1 above the centre row, 1
 * left of the centre in the centre row, the centre itself 1 for type B and 0 for type A, 0 elsewhere.
 * @example causalMask(3, 'A') // rows [1,1,1], [1,0,0], [0,0,0]
 */
export function causalMask(kernelSize: number, maskType: 'A' | 'B'): tf.Tensor4D {
  const centre = Math.floor(kernelSize / 2);
  const values: number[] = [];
  for (let r = 0; r < kernelSize; r++) {
    for (let c = 0; c < kernelSize; c++) {
      const visible = r < centre || (r === centre && (c < centre || (c === centre && maskType === 'B')));
      values.push(visible ? 1 : 0);
    }
  }
  return tf.tensor4d(values, [kernelSize, kernelSize, 1, 1]);
}

tf.serialization.registerClass(MaskedConv2D);
