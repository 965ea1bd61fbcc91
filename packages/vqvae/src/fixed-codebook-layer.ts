// tfjs-layers wrappers of the quantisers whose codes are fixed (FSQ's grid, LFQ's cube corners), so that a VQ-VAE
// with one saves and loads in the standard tfjs format as one with the classic quantiser does. The layer's one
// weight is the fixed codebook (not trainable), kept so that readers of the checkpoint (the demo, the PyTorch
// export) find a `codebook` as with VQ.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type FiniteScalarQuantizer, finiteScalarQuantizerFromVariable, fsqCodebook } from './fsq';
import {
  type LfqSettings,
  type LookupFreeQuantizer,
  lfqCodebook,
  lookupFreeQuantizerFromVariable,
  resolveLfqSettings,
} from './lfq';
import type { Quantizer } from './quantizer';
import { QuantizerLayer } from './quantizer-layer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** A quantiser layer whose one weight is its fixed codebook; subclasses say which codes and which quantiser. */
abstract class FixedCodebookLayer<Q extends Quantizer> extends QuantizerLayer<Q> {
  protected readonly seed: number;

  constructor(args: LayerArgs & { seed?: number }) {
    super(args);
    this.seed = args.seed ?? 0;
  }

  /** The fixed codes [K, D]. */
  protected abstract codes(): tf.Tensor2D;
  /** The quantiser over the layer's codebook variable. */
  protected abstract quantizerOver(codebook: tf.Variable): Q;

  protected createQuantizer(): Q {
    const codes = this.codes();
    const codebook = this.addInitialWeight('codebook', codes, false);
    codes.dispose();
    return this.quantizerOver(codebook);
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    const result = super.dispose();
    // the quantiser's own constants; its codebook is the layer's weight, which super.dispose frees
    if (result.refCountAfterDispose === 0) this.builtQuantizer?.dispose();
    return result;
  }
}

/** Arguments of {@link FiniteScalarQuantizerLayer}. */
export interface FiniteScalarQuantizerLayerArgs extends LayerArgs {
  /** Levels per channel, e.g. [8, 5, 5, 5]. */
  levels: readonly number[];
  /** Seed of the (unused) random stream a checkpoint stores for every quantiser. */
  seed?: number;
}

/** The FSQ layer: weight `codebook` [K, D], the grid of {@link fsqCodebook}. */
export class FiniteScalarQuantizerLayer extends FixedCodebookLayer<FiniteScalarQuantizer> {
  static className = 'VaejsFiniteScalarQuantizer';
  protected readonly label = 'FiniteScalarQuantizerLayer';
  readonly levels: readonly number[];

  constructor(args: FiniteScalarQuantizerLayerArgs) {
    super(args);
    this.levels = Object.freeze([...args.levels]);
  }

  protected codes(): tf.Tensor2D {
    return fsqCodebook(this.levels);
  }

  protected quantizerOver(codebook: tf.Variable): FiniteScalarQuantizer {
    return finiteScalarQuantizerFromVariable(this.levels, codebook, { owned: false, seed: this.seed });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), levels: [...this.levels], seed: this.seed };
  }
}

/** Arguments of {@link LookupFreeQuantizerLayer}. */
export interface LookupFreeQuantizerLayerArgs extends LayerArgs, Partial<LfqSettings> {
  /** d, the number of code bits (2^d codes). */
  bits: number;
  /** Seed of the (unused) random stream a checkpoint stores for every quantiser. */
  seed?: number;
}

/** The LFQ layer: weight `codebook` [2^d, d], the cube corners of {@link lfqCodebook}. */
export class LookupFreeQuantizerLayer extends FixedCodebookLayer<LookupFreeQuantizer> {
  static className = 'VaejsLookupFreeQuantizer';
  protected readonly label = 'LookupFreeQuantizerLayer';
  readonly bits: number;
  readonly settings: Readonly<LfqSettings>;

  constructor(args: LookupFreeQuantizerLayerArgs) {
    const { bits, entropyWeight, diversity, temperature, beta, ...layerArgs } = args;
    super(layerArgs);
    this.bits = bits;
    this.settings = resolveLfqSettings('LookupFreeQuantizerLayer', 'args', {
      entropyWeight,
      diversity,
      temperature,
      beta,
    });
  }

  protected codes(): tf.Tensor2D {
    return lfqCodebook(this.bits);
  }

  protected quantizerOver(codebook: tf.Variable): LookupFreeQuantizer {
    return lookupFreeQuantizerFromVariable(this.settings, codebook, { owned: false, seed: this.seed });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), bits: this.bits, ...this.settings, seed: this.seed };
  }
}

tf.serialization.registerClass(FiniteScalarQuantizerLayer);
tf.serialization.registerClass(LookupFreeQuantizerLayer);
