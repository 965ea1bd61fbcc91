// A tfjs-layers wrapper of the residual quantiser, so that a VQ-VAE with one saves and loads in the standard tfjs
// format: per level (one set with a shared codebook) the weights `codebook_<l>`, `ema_cluster_size_<l>` and
// `ema_embed_sum_<l>`, as the classic quantiser's layer has them once.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
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
    const sets = this.settings.sharedCodebook ? 1 : this.settings.numQuantizers;
    const variables = Array.from({ length: sets }, (_, level) => this.levelWeights(level));
    this.instance = residualQuantizerFromVariables(this.quantizerConfig, this.settings, variables, {
      owned: false,
      initialized: this.initializedAtLoad,
    });
    super.build(inputShape);
  }

  private levelWeights(level: number): VectorQuantizerVariables {
    const { dim, codebookSize, ema, seed } = this.quantizerConfig;
    const weight = (
      name: string,
      shape: number[],
      init: ReturnType<typeof tfl.initializers.zeros>,
      trainable: boolean,
    ) => this.addWeight(`${name}_${level}`, shape, 'float32', init, undefined, trainable);
    const codebook = weight('codebook', [codebookSize, dim], tfl.initializers.zeros(), !ema);
    const clusterSize = weight('ema_cluster_size', [codebookSize], tfl.initializers.ones(), false);
    const embedSum = weight('ema_embed_sum', [codebookSize, dim], tfl.initializers.zeros(), false);
    const initial = initialCodebook({ ...this.quantizerConfig, seed: seed + level });
    codebook.write(initial);
    embedSum.write(initial);
    initial.dispose();
    return {
      codebook: codebook.read() as tf.Variable,
      clusterSize: clusterSize.read() as tf.Variable,
      embedSum: embedSum.read() as tf.Variable,
    };
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

tf.serialization.registerClass(ResidualQuantizerLayer);
