// A tfjs-layers wrapper of the finite scalar quantiser, so that a VQ-VAE with FSQ saves and loads in the standard
// tfjs format as one with the classic quantiser does. Its one weight is the fixed grid of codes (not trainable),
// kept so that readers of the checkpoint (the demo, the PyTorch export) find a `codebook` as with VQ.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type FiniteScalarQuantizer, finiteScalarQuantizerFromVariable, fsqCodebook } from './fsq';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments of {@link FiniteScalarQuantizerLayer}. */
export interface FiniteScalarQuantizerLayerArgs extends LayerArgs {
  /** Levels per channel, e.g. [8, 5, 5, 5]. */
  levels: readonly number[];
  /** Seed of the (unused) random stream a checkpoint stores for every quantiser. */
  seed?: number;
}

/**
 * Layer `[..., D] → [..., D]` (D = levels.length) that outputs the FSQ codes, with the straight-through gradient of
 * the rounding. The quantiser object is `layer.quantizer` once built.
 */
export class FiniteScalarQuantizerLayer extends tfl.layers.Layer {
  static className = 'VaejsFiniteScalarQuantizer';
  readonly levels: readonly number[];
  private readonly seed: number;
  private instance: FiniteScalarQuantizer | null = null;

  constructor(args: FiniteScalarQuantizerLayerArgs) {
    super(args);
    this.levels = Object.freeze([...args.levels]);
    this.seed = args.seed ?? 0;
  }

  /** The quantiser over this layer's grid. @throws Error before the layer is built. */
  get quantizer(): FiniteScalarQuantizer {
    if (this.instance === null) {
      throw new Error('FiniteScalarQuantizerLayer.quantizer: expected a built layer, got none.');
    }
    return this.instance;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const size = this.levels.reduce((a, b) => a * b, 1);
    const weight = this.addWeight(
      'codebook',
      [size, this.levels.length],
      'float32',
      tfl.initializers.zeros(),
      undefined,
      false,
    );
    const grid = fsqCodebook(this.levels);
    weight.write(grid);
    grid.dispose();
    this.instance = finiteScalarQuantizerFromVariable(this.levels, weight.read() as tf.Variable, {
      owned: false,
      seed: this.seed,
    });
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const z = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const { output, ...rest } = this.quantizer.quantize(z);
      tf.dispose(rest);
      return output;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), levels: [...this.levels], seed: this.seed };
  }
}

tf.serialization.registerClass(FiniteScalarQuantizerLayer);
