// What every quantiser layer shares: the quantiser built over the layer's own weights, the call that outputs its
// straight-through codes (shape in = shape out), and the adding of a weight from an initial value.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type AddWeight, projectedQuantizer, projectionWeights } from './projection';
import type { Quantizer } from './quantizer';

/**
 * Layer `[..., D] → [..., D]` that outputs its quantiser's codes with the quantiser's gradient estimator;
 * `layer.quantizer` once built. Subclasses build the quantiser over weights added with {@link addInitialWeight}.
 */
export abstract class QuantizerLayer<Q extends Quantizer> extends tfl.layers.Layer {
  /** The class's name in messages (`VectorQuantizerLayer.quantizer: …`). */
  protected abstract readonly label: string;
  private instance: Q | null = null;

  /** The quantiser over the layer's weights (called once, by `build`). */
  protected abstract createQuantizer(): Q;

  /** The quantiser over this layer's weights. @throws Error before the layer is built. */
  get quantizer(): Q {
    if (this.instance === null) throw new Error(`${this.label}.quantizer: expected a built layer, got none.`);
    return this.instance;
  }

  /** The quantiser if the layer is built, else null. */
  protected get builtQuantizer(): Q | null {
    return this.instance;
  }

  /** Adds a weight holding `initial` (which the caller still owns) and returns its variable. */
  protected readonly addInitialWeight: AddWeight = (name, initial, trainable) => {
    const weight = this.addWeight(name, initial.shape, 'float32', tfl.initializers.zeros(), undefined, trainable);
    weight.write(initial);
    return weight.read() as tf.Variable;
  };

  /** `quantizer` as it is when `codebookDim` is 0, else behind learnt maps D → d → D held as this layer's weights. */
  protected projectedIfLowDim(quantizer: Q, config: { dim: number; codebookDim: number; seed: number }): Q {
    if (config.codebookDim === 0) return quantizer;
    const maps = projectionWeights(this.addInitialWeight, config.dim, config.codebookDim, config.seed);
    return projectedQuantizer(quantizer, maps, config.dim, false);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    this.instance = this.createQuantizer();
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const z = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const { output, ...rest } = this.quantizer.quantize(z);
      tf.dispose(Object.values(rest));
      return output;
    });
  }
}
