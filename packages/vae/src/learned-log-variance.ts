import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Serialised config of {@link LearnedLogVariance}. */
export interface LearnedLogVarianceArgs {
  /** `true`: one log-variance per pixel and channel `[h, w, c]`; `false`: one scalar (stored as shape `[1]`). */
  perPixel?: boolean;
  name?: string;
  trainable?: boolean;
}

/**
 * Identity layer that owns the decoder's learned log-variance log σ² (for `likelihood: 'gaussian-learned'`),
 * so the weight lives in the decoder `tf.LayersModel` and saves and loads with it in the standard tfjs format.
 * The forward pass returns its input unchanged; the loss reads the weight through {@link LearnedLogVariance.logVar}.
 * Initialised to 0 (σ² = 1).
 *
 * Registered with `tf.serialization.registerClass` when this module loads, so `tf.loadLayersModel` finds it.
 * @example const layer = new LearnedLogVariance({ perPixel: true, name: 'log_variance' }); // weight [h, w, c]
 */
export class LearnedLogVariance extends tfl.layers.Layer {
  static className = 'VaejsLearnedLogVariance';
  readonly perPixel: boolean;
  private logVarWeight: tfl.LayerVariable | null = null;

  constructor(args: LearnedLogVarianceArgs = {}) {
    super(args);
    this.perPixel = args.perPixel ?? false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const weightShape = this.perPixel ? (shape.slice(1) as number[]) : [1];
    this.logVarWeight = this.addWeight('log_var', weightShape, 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.clone(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs));
  }

  /** The log-variance variable: float32 `[h, w, c]` per pixel, or `[1]`. Owned by the layer; do not dispose. */
  get logVar(): tf.Tensor {
    if (this.logVarWeight === null) {
      throw new Error('LearnedLogVariance.logVar: expected the layer built, got an unbuilt layer.');
    }
    return this.logVarWeight.read();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), perPixel: this.perPixel };
  }
}

/**
 * Registers this package's custom layer classes with `tf.serialization` (idempotent). Importing the package
 * already does it; call it before `tf.loadLayersModel` on a vaejs decoder when a bundler may have dropped the module.
 */
export function registerVaeLayers(): void {
  tf.serialization.registerClass(LearnedLogVariance);
}

registerVaeLayers();
