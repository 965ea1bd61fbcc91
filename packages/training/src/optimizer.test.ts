import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createOptimizer, disposeOptimizerState, getOptimizerState, setOptimizerState } from './optimizer';

/** Trains w on a fixed quadratic for `steps` steps with `optimizer`. */
function train(optimizer: tf.Optimizer, w: tf.Variable, steps: number): void {
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, tf.tensor1d([3, -2, 0.5])))) as tf.Scalar, false, [w]);
    });
  }
}

describe('optimizer state', () => {
  it("restores Adam exactly, where tfjs' own setWeights recomputes β^t by pow and drifts in the last bits", async () => {
    let stockDrifts = 0;
    for (const steps of [7, 13, 29, 61]) {
      const reference = createOptimizer('adam', 0.01);
      const w = tf.variable(tf.tensor1d([0, 0, 0]));
      train(reference, w, steps);
      const state = await getOptimizerState(reference);
      const ours = createOptimizer('adam', 0.01);
      const stock = createOptimizer('adam', 0.01);
      await setOptimizerState(ours, state);
      await stock.setWeights(state.filter((slot) => !slot.name.startsWith('vaejs-')));
      const accBeta = (optimizer: tf.Optimizer) =>
        Array.from((optimizer as unknown as { accBeta1: tf.Variable }).accBeta1.dataSync()).concat(
          Array.from((optimizer as unknown as { accBeta2: tf.Variable }).accBeta2.dataSync()),
        );
      expect(accBeta(ours)).toEqual(accBeta(reference));
      if (accBeta(stock).some((value, i) => value !== accBeta(reference)[i])) stockDrifts++;
      // the next steps from the restored state match the uninterrupted optimizer bit for bit
      const w2 = tf.variable(w.clone());
      train(reference, w, 5);
      train(ours, w2, 5);
      expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()));
      disposeOptimizerState(state);
      tf.dispose([w, w2]);
      for (const optimizer of [reference, ours, stock]) optimizer.dispose();
    }
    expect(stockDrifts, 'step counts where stock setWeights differs').toBeGreaterThan(0);
  });

  it('builds each named optimizer and round-trips SGD and RMSProp state', async () => {
    for (const name of ['sgd', 'rmsprop'] as const) {
      const optimizer = createOptimizer(name, 0.01);
      const w = tf.variable(tf.tensor1d([1, 1, 1]));
      train(optimizer, w, 3);
      const state = await getOptimizerState(optimizer);
      const copy = createOptimizer(name, 0.01);
      await setOptimizerState(copy, state);
      const w2 = tf.variable(w.clone());
      train(optimizer, w, 2);
      train(copy, w2, 2);
      expect(Array.from(w2.dataSync()), name).toEqual(Array.from(w.dataSync()));
      disposeOptimizerState(state);
      tf.dispose([w, w2]);
      optimizer.dispose();
      copy.dispose();
    }
  });
});
