// BatchMatMul and _FusedMatMul on the native addon's sgemm (oneDNN), whatever the transposes, with bias and
// activation applied in the same call. A batched operand against an unbatched one is one product with more rows.
// What it does not cover (other dtypes, PReLU, a bias that is not per column, batch shapes that broadcast other
// than 1-against-n, empty products) goes to the fallback kernel. No product is too small: measured per call (tfjs
// engine included) an 8×8×8 product took 6.7–12 µs native against 9–37 µs on wasm's XNNPACK path.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs, WasmBackendLike } from './kernel-utils';
import { sizeOf } from './kernel-utils';
import { heapView, NATIVE_ACTIVATIONS, nativeAddon } from './native-addon';

/** Products of fewer multiply-adds than this go to the fallback (mutable for tests and benchmarks). */
export const nativeMatMulRoute = { minMacs: 1 };

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** Builds BatchMatMul or _FusedMatMul (they differ only in inputs and attrs) over the addon. */
export function makeNativeMatMulConfig(fallback: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs) => {
    const runFallback = () => fallback.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as MatMulAttrs;
    const activation = NATIVE_ACTIVATIONS[attrs.activation ?? 'linear'];
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return runFallback();
    if (preluActivationWeights != null || activation === undefined) return runFallback();
    const transposeA = attrs.transposeA ?? false;
    const transposeB = attrs.transposeB ?? false;
    const aRank = a.shape.length;
    const bRank = b.shape.length;
    const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
    const k = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
    const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = sizeOf(outerA);
    const batchB = sizeOf(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!(sameOuter || batchA === 1 || batchB === 1)) return runFallback();
    const batch = Math.max(batchA, batchB);
    if (batch * m * n * k < nativeMatMulRoute.minMacs || m === 0 || n === 0 || k === 0) return runFallback();
    const biasSize = bias == null ? 0 : sizeOf(bias.shape);
    if (bias != null && (bias.dtype !== 'float32' || (biasSize !== n && biasSize !== 1))) return runFallback();
    const outBatch = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const backend = args.backend as WasmBackendLike;
    const out = backend.makeOutput([...outBatch, m, n], 'float32');
    nativeAddon().matMul(
      heapView(backend, a),
      heapView(backend, b),
      heapView(backend, out),
      bias == null ? null : heapView(backend, bias),
      batch,
      m,
      n,
      k,
      transposeA,
      transposeB,
      batchA,
      batchB,
      activation,
      attrs.leakyreluAlpha ?? 0.2,
    );
    return out;
  };
  return { ...fallback, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
