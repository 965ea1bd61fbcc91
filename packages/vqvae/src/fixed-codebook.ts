// What the quantisers with a fixed codebook (FSQ's grid, LFQ's cube corners) share: no trainable codes, nothing to
// initialise or update, lookup by gathering rows, and the random stream every quantiser keeps in a checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@vaejs/core';
import { gatherCodes } from './nearest-code';
import type { Quantizer } from './quantizer';
import { restoreQuantizerState } from './vector-quantizer';

type FixedMembers = Pick<
  Quantizer,
  | 'codebook'
  | 'initialized'
  | 'trainableVariables'
  | 'lookup'
  | 'initialize'
  | 'update'
  | 'getRngState'
  | 'setRngState'
  | 'getState'
  | 'setState'
>;

/** The members of a fixed-codebook quantiser named `name` (as in `${name}.setState`) over `codebook`. */
export function fixedCodebookMembers(name: string, codebook: tf.Variable, seed: number): FixedMembers {
  const rng = createRng(seed);
  return {
    codebook,
    initialized: true,
    trainableVariables: [],
    lookup(indices) {
      return tf.tidy(() => gatherCodes(codebook as tf.Tensor as tf.Tensor2D, indices));
    },
    initialize() {},
    update: () => ({ restarted: tf.scalar(0, 'int32') }),
    getRngState: () => rng.getState(),
    setRngState: (state) => rng.setState(state),
    getState: () => ({ initialized: true, rngState: rng.getState() }),
    setState(state) {
      restoreQuantizerState(`${name}.setState`, state, rng);
    },
  };
}
