// A tfjs-layers wrapper of the vector quantiser, so that a model holding one saves and loads (codebook and EMA
// state included) in the standard tfjs format, in Node or in a browser.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  innerQuantizerConfig,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
} from './quantizer-config';
import { QuantizerLayer } from './quantizer-layer';
import { initialCodebook, type VectorQuantizer, vectorQuantizerFromVariables } from './vector-quantizer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments of {@link VectorQuantizerLayer}. */
export interface VectorQuantizerLayerArgs extends LayerArgs {
  /** The quantiser's settings (sizes required). */
  quantizer: VectorQuantizerConfig;
  /** Whether k-means initialisation already ran (restored from a checkpoint). */
  initialized?: boolean;
}

/**
 * Layer `[..., D] → [..., D]` that outputs the straight-through quantised vectors `z_e + sg(z_q − z_e)` (forward:
 * the nearest codes). Weights: `codebook` [K, D] (trainable unless `ema`), `ema_cluster_size` [K] and
 * `ema_embed_sum` [K, D]. The quantiser object (losses, updates, metrics) is `layer.quantizer` once built; it shares
 * the layer's variables, which the layer (or its model) disposes.
 * @example
 * const input = tf.input({ shape: [7, 7, 16] });
 * const layer = new VectorQuantizerLayer({ quantizer: { dim: 16, codebookSize: 128 } });
 * const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
 */
export class VectorQuantizerLayer extends QuantizerLayer<VectorQuantizer> {
  static className = 'VaejsVectorQuantizer';
  protected readonly label = 'VectorQuantizerLayer';
  readonly quantizerConfig: Readonly<ResolvedVectorQuantizerConfig>;
  private readonly initializedAtLoad: boolean;

  constructor(args: VectorQuantizerLayerArgs) {
    super(args);
    this.quantizerConfig = resolveVectorQuantizerConfig(args.quantizer, 'VectorQuantizerLayer');
    this.initializedAtLoad = args.initialized ?? false;
  }

  protected createQuantizer(): VectorQuantizer {
    const config = this.quantizerConfig;
    const inner = innerQuantizerConfig(config);
    const add = this.addInitialWeight;
    const initial = initialCodebook(inner);
    const codebook = add('codebook', initial, !config.ema);
    const clusterSize = tf.tidy(() => add('ema_cluster_size', tf.ones([config.codebookSize]), false));
    const embedSum = add('ema_embed_sum', initial, false);
    initial.dispose();
    const quantizer = vectorQuantizerFromVariables(
      inner,
      { codebook, clusterSize, embedSum },
      { owned: false, initialized: this.initializedAtLoad },
    );
    return this.projectedIfLowDim(quantizer, config);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      quantizer: { ...this.quantizerConfig },
      initialized: this.builtQuantizer?.initialized ?? this.initializedAtLoad,
    };
  }
}

tf.serialization.registerClass(VectorQuantizerLayer);
