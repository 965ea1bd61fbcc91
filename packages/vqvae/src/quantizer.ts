// What every quantiser of this package offers the VQ-VAE: quantise with losses and metrics, codes to indices and
// back, and the hooks the classic quantiser needs (k-means initialisation, EMA and restart updates, a random stream).
import type * as tf from '@tensorflow/tfjs-core';
import type { RngState } from '@vaejs/core';

/** The quantisers: the classic nearest-code `'vq'`, finite scalar `'fsq'`, lookup-free `'lfq'` and residual `'rvq'`. */
export type QuantizerKind = 'vq' | 'fsq' | 'lfq' | 'rvq';

/** Named outputs of {@link Quantizer.quantize}; the caller disposes every tensor. */
export interface QuantizeResult {
  /** z_q, the code of each vector (l2-normalised in 'cosine' mode): float32 [..., D]. */
  quantized: tf.Tensor;
  /** int32 [...]. */
  indices: tf.Tensor;
  /**
   * What the decoder takes: forward z_q, with the quantiser's gradient estimator backward (straight-through
   * `z_e + sg(z_q − z_e)`, or the rotation trick). float32 [..., D].
   */
  output: tf.Tensor;
  /**
   * `mean ||sg(z_e) − z_q||²` over all elements: the codebook's only gradient (0 for FSQ; LFQ: its entropy penalty,
   * the term that shapes code use). float32 scalar.
   */
  codebookLoss: tf.Scalar;
  /** `mean ||z_e − sg(z_q)||²` over all elements, unweighted (0 for FSQ). float32 scalar. */
  commitmentLoss: tf.Scalar;
  /**
   * What to add to the model loss: `codebookLoss + beta·commitmentLoss`, `beta·commitmentLoss` with EMA (the
   * codebook then learns by moving averages, not by gradient), 0 for FSQ, `entropyWeight·entropy + beta·commitment`
   * for LFQ. float32 scalar.
   */
  loss: tf.Scalar;
  /** Perplexity of the batch's codes, in [1, K]. float32 scalar. */
  perplexity: tf.Scalar;
  /** Share of codes used in the batch, in [0, 1]. float32 scalar. */
  usage: tf.Scalar;
}

/** Per-call options of {@link Quantizer.quantize}. */
export interface QuantizeOptions {
  /** Commitment weight of this call's `loss` (a schedule, say); default `config.beta`. Unused by FSQ. */
  beta?: number;
  /** A training step: residual VQ's quantizer dropout applies (default false). */
  training?: boolean;
}

/** A quantiser's state beyond its variables: plain JSON, stored in a checkpoint's manifest. */
export interface VectorQuantizerState {
  /** Whether the k-means initialisation has run (always true for FSQ, which has nothing to initialise). */
  initialized: boolean;
  /** The random stream of k-means and restarts. */
  rngState: RngState;
}

/** What the VQ-VAE needs of a quantiser, whatever its kind. */
export interface Quantizer {
  readonly kind: QuantizerKind;
  /** D, the size of each code vector. */
  readonly dim: number;
  /** K, the number of codes. */
  readonly codebookSize: number;
  /** float32 [K, D]: the learnt codebook (`'vq'`) or the implicit grid of code values (`'fsq'`, never trained). */
  codebook: tf.Variable;
  /** Whether `initialize` has run (k-means; FSQ: always true). */
  readonly initialized: boolean;
  /** Variables the optimiser should update: the codebook of a classic quantiser without EMA, else none. */
  readonly trainableVariables: tf.Variable[];
  /**
   * Quantisation with losses and metrics: the one place the quantiser's loss is built.
   * @param z float32 [..., D]
   */
  quantize(z: tf.Tensor, options?: QuantizeOptions): QuantizeResult;
  /** Code indices only. @param z float32 [..., D] @returns int32 [...] */
  encode(z: tf.Tensor): tf.Tensor;
  /** Code vectors of indices. @param indices int32 [...] in [0, K) @returns float32 [..., D] */
  lookup(indices: tf.Tensor): tf.Tensor;
  /** k-means initialisation from a batch (a no-op for FSQ). @param z float32 [..., D] */
  initialize(z: tf.Tensor): void;
  /**
   * The non-gradient step after the optimiser step: EMA update and dead-code restarts (a no-op otherwise).
   * @returns restarted: int32 scalar, the number of codes restarted (caller disposes)
   */
  update(z: tf.Tensor, indices?: tf.Tensor): { restarted: tf.Scalar };
  /** The random stream's state (k-means and restarts; FSQ draws nothing from it). */
  getRngState(): RngState;
  setRngState(state: RngState): void;
  /** `initialized` and the random stream's state, to store beside the variables. */
  getState(): VectorQuantizerState;
  /** Restores a state returned by `getState`. @throws CheckpointError for a malformed state */
  setState(state: VectorQuantizerState): void;
  /** Frees the variables (unless they belong to a layer). */
  dispose(): void;
}
