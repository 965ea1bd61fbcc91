// The gated block and its gate on the backend the prior trains on in Node: wasm with @vaejs/backend's native kernels,
// where the gate runs as @vaejs/core's fused kernels (one call each way) instead of tfjs ops. The same checks as on the
// cpu backend: the first formulation's values and gradients.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { disableFastTraining, enableFastTraining } from '@vaejs/backend';
import { FUSED_KERNELS } from '@vaejs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockCases, expectFirstFormulation, expectGateIsGatedActivation } from './__fixtures__/gated-reference';

const report = await (async () => {
  await tf.setBackend('wasm');
  try {
    return await enableFastTraining({ native: 'auto' });
  } finally {
    await tf.setBackend('cpu');
  }
})();
await disableFastTraining();

it('has the native kernels on CI (scripts/ci.sh builds them), so the fused gate is tested there', () => {
  if (process.env.CI) expect(report.nativeReason).toBeNull();
  if (report.native == null) console.warn(`fused gate tests not run here: ${report.nativeReason}`);
});

describe.runIf(report.native != null)('the gated block on wasm with the native kernels (fused gate)', () => {
  const calls = { forward: 0, backward: 0 };
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await enableFastTraining({ native: true });
    // count the fused kernels' calls, so that a test cannot pass on the unfused path
    for (const [name, key] of [
      [FUSED_KERNELS.gatedActivation, 'forward'],
      [FUSED_KERNELS.gatedActivationGrad, 'backward'],
    ] as const) {
      const config = tf.getKernel(name, 'wasm')!;
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel({
        ...config,
        kernelFunc: (args) => {
          calls[key]++;
          return config.kernelFunc(args);
        },
      });
    }
  });
  afterAll(async () => {
    await disableFastTraining();
    await tf.setBackend('cpu');
  });

  it('registers the fused gate kernels for wasm and no other backend', () => {
    for (const name of Object.values(FUSED_KERNELS)) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(tf.getKernel(name, 'cpu')).toBeUndefined();
    }
  });

  it('gate: the values and gradient of gatedActivation, through one kernel call each way', async () => {
    calls.forward = calls.backward = 0;
    await expectGateIsGatedActivation();
    expect(calls).toEqual({ forward: 2, backward: 1 });
  });

  it.each(blockCases().filter(([, explicit]) => explicit))(
    'computes the first formulation, values and gradients: %o, explicit padding %s, height %i',
    async (args, _explicit, height) => {
      calls.forward = calls.backward = 0;
      await expectFirstFormulation(args, height);
      // each gate of the block runs fused: forward three times (the build, the gradients' pass, the output), backward once
      const gates = args.returns === 'stacks' ? 2 : 1;
      expect(calls).toEqual({ forward: 3 * gates, backward: gates });
    },
  );
});
