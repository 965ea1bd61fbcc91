// A VAE's training steps on the backend it trains on in Node: wasm with @vaejs/backend's native kernels, where the
// Bernoulli reconstruction, the reparameterised sample and the KL term run as @vaejs/core's fused kernels (one call
// each way) instead of tfjs ops. The weights after a few Adam steps are the same to the bit either way.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { disableFastTraining, enableFastTraining } from '@vaejs/backend';
import { FUSED_KERNELS } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVae } from './vae';

const report = await (async () => {
  await tf.setBackend('wasm');
  try {
    return await enableFastTraining({ native: 'auto' });
  } finally {
    await disableFastTraining();
    await tf.setBackend('cpu');
  }
})();

const LOSS_KERNELS = [
  FUSED_KERNELS.bernoulliLogLikelihood,
  FUSED_KERNELS.bernoulliLogLikelihoodGrad,
  FUSED_KERNELS.gaussianSample,
  FUSED_KERNELS.gaussianSampleGrad,
  FUSED_KERNELS.gaussianKl,
  FUSED_KERNELS.gaussianKlGrad,
];

it('has the native kernels on CI (scripts/ci.sh builds them), so the fused loss is tested there', () => {
  if (process.env.CI) expect(report.nativeReason).toBeNull();
  if (report.native == null) console.warn(`fused VAE loss tests not run here: ${report.nativeReason}`);
});

describe.runIf(report.native != null)('VAE training steps on wasm with the native kernels (fused loss)', () => {
  const calls = new Map<string, number>();
  const fusedConfigs = new Map<string, tf.KernelConfig>();
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await enableFastTraining({ native: true });
    for (const name of LOSS_KERNELS) fusedConfigs.set(name, tf.getKernel(name, 'wasm')!);
  });
  afterAll(async () => {
    await disableFastTraining();
    await tf.setBackend('cpu');
  });

  /** With the fused loss kernels (counted) or without them, as on a backend that lacks them. */
  function useFused(fused: boolean): void {
    for (const name of LOSS_KERNELS) {
      if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
      const config = fusedConfigs.get(name)!;
      if (fused) {
        tf.registerKernel({
          ...config,
          kernelFunc: (args) => {
            calls.set(name, (calls.get(name) ?? 0) + 1);
            return config.kernelFunc(args);
          },
        });
      }
    }
  }

  function train(arch: 'mlp' | 'conv', fused: boolean): { weights: Float32Array[]; losses: number[] } {
    useFused(fused);
    const tensorsBefore = tf.memory().numTensors;
    const config =
      arch === 'mlp'
        ? { inputShape: [28, 28, 1], latentDim: 8, arch, hidden: [64], seed: 3 }
        : { inputShape: [16, 16, 1], latentDim: 4, seed: 3 };
    const vae = createVae(config as unknown as Parameters<typeof createVae>[0]);
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([8, ...config.inputShape], 0, 1, 'float32', 9);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const parts = vae.trainStep(optimizer, { x }, { seed: 100 + step });
      losses.push(parts.loss.dataSync()[0]!);
      tf.dispose(parts);
    }
    const weights = vae.trainableVariables().map((w) => w.dataSync() as Float32Array);
    tf.dispose(x);
    optimizer.dispose();
    vae.dispose();
    expect(tf.memory().numTensors, 'tensors left').toBe(tensorsBefore);
    return { weights, losses };
  }

  for (const arch of ['mlp', 'conv'] as const) {
    it(`${arch}: the same losses and weights after 3 Adam steps as with tfjs ops, each fused kernel called once a step`, () => {
      const unfused = train(arch, false);
      calls.clear();
      const fused = train(arch, true);
      expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(LOSS_KERNELS.map((name) => [name, 3])));
      expect(fused.losses).toEqual(unfused.losses);
      expect(fused.losses[2]).toBeLessThan(fused.losses[0]!); // it trains
      expect(fused.weights.length).toBe(unfused.weights.length);
      for (const [i, w] of fused.weights.entries()) expect(w, `weight ${i}`).toEqual(unfused.weights[i]);
    });
  }
});
