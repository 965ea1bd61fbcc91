import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@vaejs/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { itLoadsOnCi, native } from './__fixtures__/native';
import { disableFastTraining } from './enable-fast-training';
import { loadNativeAddon } from './load-native';
import { nativeAdamInstalled } from './native-adam';
import { setupBackend } from './setup-backend';

afterEach(async () => {
  await disableFastTraining();
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

/** What Node throws when a package is nowhere (the addon's package uninstalled). */
const notInstalled = () => {
  throw Object.assign(new Error("Cannot find package '@vaejs/backend-native' imported from /app/index.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
};
/** What the dynamic loader throws when the prebuild is there but a library beside it is not. */
const brokenPrebuild = () => ({
  load() {
    throw new Error(
      'libdnnl.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
    );
  },
});

itLoadsOnCi();

describe('setupBackend without the native addon (simulated)', () => {
  it('falls back to the fast wasm kernels when @vaejs/backend-native is not installed, and says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const setup = await setupBackend({ backend: 'wasm', threads: 1, nativeLoader: notInstalled });
    await setupBackend({ backend: 'wasm', threads: 1, nativeLoader: notInstalled });
    const warned = [...warn.mock.calls];
    warn.mockRestore();
    // on linux-x64, where the package has a prebuild, how to get it; elsewhere only that it is missing
    const platform = `${process.platform}-${process.arch}`;
    const how = platform === 'linux-x64' ? ' (npm install @vaejs/backend-native: prebuilt for linux-x64)' : '';
    const reason = `@vaejs/backend-native is not installed${how}`;
    expect(setup).toMatchObject({ name: 'wasm', fast: true, native: null, nativeReason: reason });
    expect(setup.summary).toBe(
      `backend: wasm, fast kernels (XNNPACK matMul/conv, 1 thread; native kernels: ${reason})`,
    );
    // said once a process, on stderr, where a prebuild would have loaded
    expect(warned).toEqual(
      how ? [[`setupBackend: ${reason}; training runs without the native kernels (quiet: true hides this).`]] : [],
    );
    expect(nativeAdamInstalled()).toBe(false);
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(y.dataSync())).toEqual([3, 3, 3, 3]);
    tf.dispose(y);
  });

  it('falls back when the addon fails to load, with the loader’s first line as the reason', async () => {
    const setup = await setupBackend({ backend: 'wasm', threads: 1, nativeLoader: brokenPrebuild });
    expect(setup.native).toBeNull();
    expect(setup.nativeReason).toBe(
      'failed to load: libdnnl.so.2: cannot open shared object file: No such file or directory',
    );
    expect(setup.summary).toMatch(
      /^backend: wasm, fast kernels \(XNNPACK matMul\/conv, 1 thread; native kernels: failed to load: libdnnl\.so\.2/,
    );
  });

  it('falls back when what loads is not the addon', async () => {
    const result = await loadNativeAddon(() => ({ info: () => ({}) }));
    expect(result.reason).toBe(
      'failed to load: the addon has no setThreads, matMul, conv2D, conv2DBackpropInput, conv2DBackpropFilter, adam, tanh, slice, transpose, sum, exp, sigmoid, log1p, gatherRows, copyRows, pad, binary, gate, gateGrad, bernoulli, bernoulliGrad, gaussianSample, gaussianSampleGrad, gaussianKl, gaussianKlGrad',
    );
  });

  it('native: true refuses to run without them, naming why', async () => {
    const error = await setupBackend({ backend: 'wasm', native: true, nativeLoader: notInstalled }).catch((e) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /^enableFastTraining: expected the native kernels to load, got @vaejs\/backend-native is not installed( \(npm install @vaejs\/backend-native: prebuilt for linux-x64\))?\.$/,
    );
  });

  it('rejects a native option that is not true, false or auto', async () => {
    await expect(setupBackend({ native: 'yes' as unknown as boolean })).rejects.toThrow(
      /^setupBackend: expected options\.native true, false or 'auto', got 'yes'\.$/,
    );
  });

  it('loads nothing on cpu (the native kernels are for the wasm backend)', async () => {
    let called = false;
    const setup = await setupBackend({
      backend: 'cpu',
      nativeLoader: () => {
        called = true;
        return native.addon;
      },
    });
    expect(called).toBe(false);
    expect(setup).toMatchObject({ native: null, nativeReason: null, summary: 'backend: cpu' });
  });
});

describe.runIf(native.addon != null)('setupBackend with the native addon', () => {
  it('auto (the default) turns on the native kernels on wasm: summary, fields, kernels, Adam', async () => {
    const setup = await setupBackend({ backend: 'wasm' });
    const info = native.addon!.info();
    expect(setup).toMatchObject({
      name: 'wasm',
      fast: true,
      threads: 1,
      native: { library: 'oneDNN', version: info.version, isa: info.isa, threads: 1 },
      nativeReason: null,
    });
    expect(setup.summary).toBe(`backend: wasm, native kernels (oneDNN ${info.version}, ${info.isa}, 1 thread)`);
    expect(setup.kernels).toEqual([
      'BatchMatMul/wasm',
      '_FusedMatMul/wasm',
      'Identity/wasm',
      'Conv2D/wasm',
      'FusedConv2D/wasm',
      'Conv2DBackpropFilter/wasm (added)',
      'Conv2DBackpropInput/wasm',
      'UnsortedSegmentSum/wasm (added)',
      'Tanh/wasm',
      'Slice/wasm',
      'Transpose/wasm',
      'Sum/wasm',
      'Exp/wasm',
      'Sigmoid/wasm',
      'Log1p/wasm',
      'GatherV2/wasm',
      'PadV2/wasm',
      'SplitV/wasm',
      'Concat/wasm',
      'Add/wasm',
      'Sub/wasm',
      'Multiply/wasm',
      'VaejsGatedActivation/wasm (added)',
      'VaejsGatedActivationGrad/wasm (added)',
      'VaejsBernoulliLogLikelihood/wasm (added)',
      'VaejsBernoulliLogLikelihoodGrad/wasm (added)',
      'VaejsGaussianSample/wasm (added)',
      'VaejsGaussianSampleGrad/wasm (added)',
      'VaejsGaussianKl/wasm (added)',
      'VaejsGaussianKlGrad/wasm (added)',
    ]);
    expect(nativeAdamInstalled()).toBe(true);
    await disableFastTraining();
    expect(nativeAdamInstalled()).toBe(false);
  });

  it('threads raises the native threads (default 1)', async () => {
    const setup = await setupBackend({ backend: 'wasm', threads: 2 });
    expect(setup.threads).toBe(2);
    expect(setup.native?.threads).toBe(2);
    expect(setup.summary).toMatch(/, 2 threads\)$/);
    const again = await setupBackend({ backend: 'wasm' });
    expect(again.native?.threads).toBe(1);
  });

  it('native: false keeps the XNNPACK path even where the addon loads', async () => {
    const setup = await setupBackend({ backend: 'wasm', threads: 1, native: false });
    expect(setup).toMatchObject({ native: null, nativeReason: null });
    expect(setup.summary).toBe('backend: wasm, fast kernels (XNNPACK matMul/conv, 1 thread)');
    expect(nativeAdamInstalled()).toBe(false);
  });
});
