// A tfjs-layers wrapper of the residual quantiser, so that a VQ-VAE with one saves and loads in the standard tfjs
// format: per level (one set with a shared codebook) the weights `codebook_<l>`, `ema_cluster_size_<l>` and
// `ema_embed_sum_<l>`, as the classic quantiser's layer has them once.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type AddWeight, projectedQuantizer, projectionWeights } from './projection';
import {
  innerQuantizerConfig,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
} from './quantizer-config';
import { type ResidualSettings, type ResidualVectorQuantizer, residualQuantizerFromVariables } from './residual-vq';
import { initialCodebook, type VectorQuantizerVariables } from './vector-quantizer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments of {@link ResidualQuantizerLayer}. */
export interface ResidualQuantizerLayerArgs extends LayerArgs, ResidualSettings {
  /** Every level's classic quantiser settings (sizes required); level l's codebook starts from seed + l. */
  quantizer: VectorQuantizerConfig;
  /** Whether k-means initialisation already ran (restored from a checkpoint). */
  initialized?: boolean;
}

/** Layer `[..., D] → [..., D]` outputting the sum of the levels' codes (straight-through); `layer.quantizer`. */
export class ResidualQuantizerLayer extends tfl.layers.Layer {
  static className = 'VaejsResidualQuantizer';
  readonly quantizerConfig: Readonly<ResolvedVectorQuantizerConfig>;
  readonly settings: Readonly<ResidualSettings>;
  private readonly initializedAtLoad: boolean;
  private instance: ResidualVectorQuantizer | null = null;

  constructor(args: ResidualQuantizerLayerArgs) {
    const { quantizer, numQuantizers, sharedCodebook, quantizerDropout, initialized, ...layerArgs } = args;
    super(layerArgs);
    this.quantizerConfig = resolveVectorQuantizerConfig(quantizer, 'ResidualQuantizerLayer');
    this.settings = Object.freeze({ numQuantizers, sharedCodebook, quantizerDropout });
    this.initializedAtLoad = initialized ?? false;
  }

  /** The quantiser over this layer's variables. @throws Error before the layer is built. */
  get quantizer(): ResidualVectorQuantizer {
    if (this.instance === null) throw new Error('ResidualQuantizerLayer.quantizer: expected a built layer, got none.');
    return this.instance;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const config = this.quantizerConfig;
    const add: AddWeight = (name, initial, trainable) => {
      const weight = this.addWeight(name, initial.shape, 'float32', tfl.initializers.zeros(), undefined, trainable);
      weight.write(initial);
      return weight.read() as tf.Variable;
    };
    const inner = innerQuantizerConfig(config);
    const sets = this.settings.sharedCodebook ? 1 : this.settings.numQuantizers;
    const variables = Array.from({ length: sets }, (_, level) => levelWeights(add, inner, level));
    const quantizer = residualQuantizerFromVariables(inner, this.settings, variables, {
      owned: false,
      initialized: this.initializedAtLoad,
    });
    this.instance =
      config.codebookDim === 0
        ? quantizer
        : projectedQuantizer(
            quantizer,
            projectionWeights(add, config.dim, config.codebookDim, config.seed),
            config.dim,
            false,
          );
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

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      quantizer: { ...this.quantizerConfig },
      ...this.settings,
      initialized: this.instance?.initialized ?? this.initializedAtLoad,
    };
  }
}

/** Level l's codebook (drawn from seed + l) and EMA state as weights `codebook_<l>`, `ema_cluster_size_<l>`, … */
function levelWeights(
  add: AddWeight,
  config: Readonly<ResolvedVectorQuantizerConfig>,
  level: number,
): VectorQuantizerVariables {
  const initial = initialCodebook({ ...config, seed: config.seed + level });
  const variables = {
    codebook: add(`codebook_${level}`, initial, !config.ema),
    clusterSize: tf.tidy(() => add(`ema_cluster_size_${level}`, tf.ones([config.codebookSize]), false)),
    embedSum: add(`ema_embed_sum_${level}`, initial, false),
  };
  initial.dispose();
  return variables;
}

tf.serialization.registerClass(ResidualQuantizerLayer);
