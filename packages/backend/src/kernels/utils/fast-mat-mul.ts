// Fast BatchMatMul and _FusedMatMul for tfjs-backend-wasm. The stock wasm kernels send a matMul to XNNPACK only
// when neither operand is transposed and both batch sizes are 1; every other case (and so every gradient of a dense
// layer: dA = dy·Bᵀ, dB = Aᵀ·dy) runs a naive loop at about 1.5 GFLOP/s. Here transposed operands are transposed
// explicitly with the (fast, memory-bound) Transpose kernel, and a batched A against an unbatched B is folded into
// one matrix, so that the stock kernel always takes its XNNPACK path. Other cases fall back to the stock kernel.
import type * as tf from '@tensorflow/tfjs-core';
import { disposeInfo, type KernelArgs, sizeOf, transposeLastTwo, view } from './kernel-utils';

/** How a matMul is routed: 'xnnpack' (possibly after explicit transposes) or the stock kernel. */
export interface MatMulPlan {
  route: 'xnnpack' | 'stock';
  /** Rank-3 view shapes handed to the stock kernel, transposes already applied. */
  aShape: [number, number, number];
  bShape: [number, number, number];
  outShape: number[];
}

/** Decides how to run `a·b` with the given transposes (pure; exported for tests). */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan {
  const aRank = aShape.length;
  const bRank = bShape.length;
  const aRows = aShape[aRank - 2]!;
  const aCols = aShape[aRank - 1]!;
  const bRows = bShape[bRank - 2]!;
  const bCols = bShape[bRank - 1]!;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const batchA = sizeOf(aShape.slice(0, -2));
  const batchB = sizeOf(bShape.slice(0, -2));
  const outBatch = aRank >= bRank ? aShape.slice(0, -2) : bShape.slice(0, -2);
  const outShape = [...outBatch, m, n];
  const stock: MatMulPlan = { route: 'stock', aShape: [batchA, m, k], bShape: [batchB, k, n], outShape };
  if (batchB !== 1) return stock;
  if (batchA === 1) return { route: 'xnnpack', aShape: [1, m, k], bShape: [1, k, n], outShape };
  // A batched, B shared: one [batchA·m, k] × [k, n] product, if A's rows are contiguous.
  if (transposeA) return stock;
  return { route: 'xnnpack', aShape: [1, batchA * m, k], bShape: [1, k, n], outShape };
}

function untransposed(
  backendName: string,
  backend: KernelArgs['backend'],
  x: tf.TensorInfo,
  transposed: boolean,
  temporaries: tf.TensorInfo[],
): tf.TensorInfo {
  if (!transposed) return x;
  const rows = x.shape[x.shape.length - 2]!;
  const cols = x.shape[x.shape.length - 1]!;
  const t = transposeLastTwo(backendName, backend, view(x, [rows, cols]));
  temporaries.push(t);
  return t;
}

/** Builds the replacement config for BatchMatMul or _FusedMatMul on a wasm-like backend. */
export function makeFastMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  const { kernelName, backendName } = original;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { inputs, backend } = args;
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
    const isPlain = !transposeA && !transposeB && plan.aShape[0] === sizeOf(a.shape.slice(0, -2));
    if (plan.route === 'stock' || isPlain || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const temporaries: tf.TensorInfo[] = [];
    try {
      const a2 = untransposed(backendName, backend, a, transposeA, temporaries);
      const b2 = untransposed(backendName, backend, b, transposeB, temporaries);
      const out = original.kernelFunc({
        inputs: { ...inputs, a: view(a2, plan.aShape), b: view(b2, plan.bShape) },
        backend: backend as unknown as tf.KernelBackend,
        attrs: { ...(args.attrs ?? {}), transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      return { ...out, shape: plan.outShape };
    } finally {
      for (const t of temporaries) disposeInfo(backend, t);
    }
  };
  return { ...original, kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
