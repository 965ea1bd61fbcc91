// A tfjs-layers wrapper of the residual quantiser, so that a VQ-VAE with one saves and loads in the standard tfjs
// format: per level (one set with a shared codebook) the weights `codebook_<l>`, `ema_cluster_size_<l>` and
// `ema_embed_sum_<l>`, as the classic quantiser's layer has them once.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AddWeight } from './projection';
import {
  innerQuantizerConfig,
  type ResolvedVectorQuantizerConfig,
  resolveVectorQuantizerConfig,
  type VectorQuantizerConfig,
} from './quantizer-config';
import { QuantizerLayer } from './quantizer-layer';
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
export class ResidualQuantizerLayer extends QuantizerLayer<ResidualVectorQuantizer> {
  static className = 'VaejsResidualQuantizer';
  protected readonly label = 'ResidualQuantizerLayer';
  readonly quantizerConfig: Readonly<ResolvedVectorQuantizerConfig>;
  readonly settings: Readonly<ResidualSettings>;
  private readonly initializedAtLoad: boolean;

  constructor(args: ResidualQuantizerLayerArgs) {
    const { quantizer, numQuantizers, sharedCodebook, quantizerDropout, initialized, ...layerArgs } = args;
    super(layerArgs);
    this.quantizerConfig = resolveVectorQuantizerConfig(quantizer, 'ResidualQuantizerLayer');
    this.settings = Object.freeze({ numQuantizers, sharedCodebook, quantizerDropout });
    this.initializedAtLoad = initialized ?? false;
  }

  protected createQuantizer(): ResidualVectorQuantizer {
    const config = this.quantizerConfig;
    const add = this.addInitialWeight;
    const inner = innerQuantizerConfig(config);
    const sets = this.settings.sharedCodebook ? 1 : this.settings.numQuantizers;
    const variables = Array.from({ length: sets }, (_, level) => levelWeights(add, inner, level));
    const quantizer = residualQuantizerFromVariables(inner, this.settings, variables, {
      owned: false,
      initialized: this.initializedAtLoad,
    });
    return this.projectedIfLowDim(quantizer, config);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      quantizer: { ...this.quantizerConfig },
      ...this.settings,
      initialized: this.builtQuantizer?.initialized ?? this.initializedAtLoad,
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
