/**
 * Optimizers by name, and their whole state for a checkpoint. tfjs' `getWeights`/`setWeights` hold the slots and
 * the iteration count, but Adam also keeps `accBeta1 = β1^t` and `accBeta2`, which `setWeights`
 * recomputes with `pow` while training builds it by repeated multiplication: the two differ in the last bits, so a
 * resumed run would drift from an uninterrupted one. The state here carries those scalars too and puts them back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from './options';

/** A tensor under the name it is saved by (tfjs' NamedTensor). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Builds a tfjs optimizer by name. */
export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
  }
}

/** Scalars some tfjs optimizers keep outside `getWeights` (Adam's β powers). */
const EXTRA_SCALARS = ['accBeta1', 'accBeta2'] as const;
const EXTRA_PREFIX = 'vaejs-optimizer/';

type WithExtras = Partial<Record<(typeof EXTRA_SCALARS)[number], tf.Variable>>;

/**
 * The optimizer's whole state as named tensors (slots, iterations, β powers). Tensors that are the optimizer's own
 * variables stay alive; call `disposeOptimizerState` on the result to free the copies made here.
 */
export async function getOptimizerState(optimizer: tf.Optimizer): Promise<NamedTensor[]> {
  const slots = (await optimizer.getWeights()) as NamedTensor[];
  const extras = EXTRA_SCALARS.flatMap((field) => {
    const variable = (optimizer as unknown as WithExtras)[field];
    return variable instanceof tf.Variable ? [{ name: `${EXTRA_PREFIX}${field}`, tensor: tf.clone(variable) }] : [];
  });
  return [...slots, ...extras];
}

/** Frees the tensors `getOptimizerState` made (not the optimizer's own variables). */
export function disposeOptimizerState(state: NamedTensor[]): void {
  tf.dispose(state.map((slot) => slot.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
}

/** Puts back a state `getOptimizerState` returned (the caller disposes `state` afterwards). */
export async function setOptimizerState(optimizer: tf.Optimizer, state: NamedTensor[]): Promise<void> {
  const slots = state.filter((slot) => !slot.name.startsWith(EXTRA_PREFIX));
  await optimizer.setWeights(slots);
  for (const slot of state) {
    if (!slot.name.startsWith(EXTRA_PREFIX)) continue;
    const variable = (optimizer as unknown as WithExtras)[slot.name.slice(EXTRA_PREFIX.length) as 'accBeta1'];
    if (variable instanceof tf.Variable) variable.assign(slot.tensor);
  }
}
