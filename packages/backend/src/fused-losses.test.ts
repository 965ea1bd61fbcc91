// @vaejs/core's VAE loss terms on the backend a VAE trains on in Node (wasm with the native kernels), where they run
// as the fused kernels of FUSED_KERNELS: the same values and gradients as the tfjs ops they run elsewhere, to the bit,
// through one kernel call each way, and the targets' gradient still there when asked for.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { bernoulliLogLikelihood, FUSED_KERNELS, gaussianSample, hasFusedKernels, klStandardNormal } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from './__fixtures__/kernel-compare';
import { itLoadsOnCi, native } from './__fixtures__/native';
import { installFreeingGradients, uninstallFreeingGradients } from './freeing-gradients';
import { nativeKernelConfigs, registerFastKernels, restoreKernels } from './kernels/register-all-kernels';
import { setNativeAddon } from './kernels/utils/native-addon';

itLoadsOnCi();

const LOSS_KERNELS = [
  FUSED_KERNELS.bernoulliLogLikelihood,
  FUSED_KERNELS.bernoulliLogLikelihoodGrad,
  FUSED_KERNELS.gaussianSample,
  FUSED_KERNELS.gaussianSampleGrad,
  FUSED_KERNELS.gaussianKl,
  FUSED_KERNELS.gaussianKlGrad,
];

describe.runIf(native.addon != null)('the VAE loss terms on wasm with the native kernels', () => {
  const calls = new Map<string, number>();
  beforeAll(async () => {
    await tf.setBackend('wasm');
    setNativeAddon(native.addon);
  });
  afterAll(async () => {
    restoreKernels();
    setNativeAddon(null);
    await tf.setBackend('cpu');
  });

  /** The native kernels, with the fused loss kernels counted, or without them (`fused` false). */
  function register(fused: boolean): void {
    restoreKernels();
    registerFastKernels(nativeKernelConfigs);
    for (const name of LOSS_KERNELS) {
      const config = tf.getKernel(name, 'wasm')!;
      tf.unregisterKernel(name, 'wasm');
      if (!fused) continue;
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          calls.set(name, (calls.get(name) ?? 0) + 1);
          return config.kernelFunc(args);
        },
      });
    }
  }

  /** A VAE's loss, Σ −log p(x|z) + KL per example, and its gradients w.r.t. the encoder outputs and the logits. */
  function lossAndGradients(shape: number[], latent: number[]): Float32Array[] {
    const x = tf.randomUniform(shape, 0, 1, 'float32', 1);
    const logits = tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 2), 20);
    const mean = tf.randomNormal(latent, 0, 1, 'float32', 3);
    const logVar = tf.randomNormal(latent, 0, 2, 'float32', 4);
    const loss = (m: tf.Tensor, lv: tf.Tensor, l: tf.Tensor, target: tf.Tensor) => {
      const z = gaussianSample(m, lv, 7);
      const reconstruction = tf.neg(bernoulliLogLikelihood(target, l));
      // z enters the loss (as a decoder's input would), so that its gradient reaches mean and logVar
      return tf.sum(tf.add(tf.add(reconstruction, klStandardNormal(m, lv)), tf.sum(tf.square(z), 1)));
    };
    try {
      return readAll(() => {
        const { value, grads } = tf.valueAndGrads(loss)([mean, logVar, logits, x]);
        return [value, ...grads];
      });
    } finally {
      tf.dispose([x, logits, mean, logVar]);
    }
  }

  it('give the values and gradients of the unfused ops to the bit, through one fused call each way', () => {
    for (const [shape, latent] of [
      [
        [32, 28, 28, 1],
        [32, 20],
      ],
      [
        [3, 5],
        [3, 1],
      ],
    ]) {
      register(false);
      expect(hasFusedKernels(FUSED_KERNELS.bernoulliLogLikelihood)).toBe(false);
      const unfused = lossAndGradients(shape!, latent!);
      calls.clear();
      register(true);
      const fused = lossAndGradients(shape!, latent!);
      expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(LOSS_KERNELS.map((name) => [name, 1])));
      for (const [i, name] of ['loss', 'dμ', 'd log σ²', 'dlogits', 'dx'].entries()) {
        expect(fused[i]!.length, `[${shape}] ${name}`).toBe(unfused[i]!.length);
        expect(fused[i], `[${shape}] ${name}`).toEqual(unfused[i]);
      }
      expect(fused[0]![0]).toBeGreaterThan(0);
    }
  });

  it('compute the targets’ gradient only when asked for (dy·l), without the logits’ gradient kernel', () => {
    register(true);
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 1);
    const logits = tf.randomNormal([4, 6], 0, 3, 'float32', 2);
    const weights = tf.tensor1d([1, -2, 0.5, 3]);
    const weighted = (t: tf.Tensor, l: tf.Tensor) => tf.sum(tf.mul(bernoulliLogLikelihood(t, l), weights));
    // the products of the targets' gradient, dy [4, 1] · logits [4, 6], counted
    const multiply = tf.getKernel('Multiply', 'wasm')!;
    let targetProducts = 0;
    tf.unregisterKernel('Multiply', 'wasm');
    tf.registerKernel({
      ...multiply,
      kernelFunc: (args) => {
        const shapes = Object.values(args.inputs).map((t) => t?.shape.join());
        if (shapes.includes('4,6')) targetProducts++;
        return multiply.kernelFunc(args);
      },
    });
    try {
      calls.clear();
      const [dx] = readAll(() => tf.grads((t: tf.Tensor) => weighted(t, logits))([x]));
      expect(calls.get(FUSED_KERNELS.bernoulliLogLikelihood)).toBe(1);
      expect(calls.get(FUSED_KERNELS.bernoulliLogLikelihoodGrad)).toBeUndefined();
      expect(targetProducts).toBe(1);
      const l = logits.arraySync() as number[][];
      const w = [1, -2, 0.5, 3];
      expect(Array.from(dx!)).toEqual(l.flatMap((row, i) => row.map((v) => Math.fround(w[i]! * v))));
      // as in training: the logits' gradient only, and no product for the targets
      targetProducts = 0;
      calls.clear();
      readAll(() => tf.grads((l: tf.Tensor) => weighted(x, l))([logits]));
      expect(calls.get(FUSED_KERNELS.bernoulliLogLikelihoodGrad)).toBe(1);
      expect(targetProducts).toBe(0);
    } finally {
      tf.unregisterKernel('Multiply', 'wasm');
      tf.registerKernel(multiply);
      tf.dispose([x, logits, weights]);
    }
  });

  it('do not leak (values and gradients of the loss, fused and not)', () => {
    const x = tf.randomUniform([4, 3, 3, 1], 0, 1, 'float32', 1);
    const mean = tf.randomNormal([4, 2], 0, 1, 'float32', 3);
    const loss = (logits: tf.Tensor, logVar: tf.Tensor) =>
      tf.sum(
        tf.add(
          tf.add(bernoulliLogLikelihood(x, logits), klStandardNormal(mean, logVar)),
          tf.sum(gaussianSample(mean, logVar, 7), 1),
        ),
      );
    for (const [fused, freeing] of [
      [false, false],
      [true, false],
      [true, true], // the backward pass training uses (enableFastTraining installs it)
    ]) {
      register(fused!);
      if (freeing) installFreeingGradients();
      const logits = tf.randomNormal([4, 3, 3, 1], 0, 1, 'float32', 2);
      const logVar = tf.randomNormal([4, 2], 0, 1, 'float32', 4);
      const before = tf.memory().numTensors;
      tf.dispose(tf.tidy(() => [loss(logits, logVar), ...tf.grads(loss)([logits, logVar])]));
      uninstallFreeingGradients();
      expect(tf.memory().numTensors, `fused ${fused}, freeing ${freeing}`).toBe(before);
      tf.dispose([logits, logVar]);
    }
    tf.dispose([x, mean]);
  });
});
