// Helpers for kernels that are written in terms of other kernels of the same backend: tfjs kernels receive and
// return TensorInfo ({ dataId, shape, dtype }) rather than tensors, and free their temporaries with
// backend.disposeData. A view with another shape over the same data is just a TensorInfo with a new shape.
import * as tf from '@tensorflow/tfjs-core';

/** The minimal surface of a tfjs backend that the fast kernels use. */
export interface KernelBackendLike {
  disposeData(dataId: object, force?: boolean): unknown;
}

/** A backend that lives in WebAssembly memory (tfjs-backend-wasm's BackendWasm). */
export interface WasmBackendLike extends KernelBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

export type KernelArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackendLike;
  attrs?: tf.NamedAttrMap;
};

/** Runs the kernel currently registered under `kernelName` for `backendName` on TensorInfos. */
export function runKernel(
  kernelName: string,
  backendName: string,
  backend: KernelBackendLike,
  inputs: tf.NamedTensorInfoMap,
  attrs: object = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, backendName);
  if (kernel == null) {
    throw new Error(`fast training: kernel '${kernelName}' is not registered for backend '${backendName}'.`);
  }
  const out = kernel.kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as tf.NamedAttrMap,
  });
  return Array.isArray(out) ? (out[0] as tf.TensorInfo) : out;
}

/** Same data, another shape (no copy, no new reference: never dispose a view, dispose its source). */
export function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Swaps the last two axes of a rank-2 or rank-3 TensorInfo with the backend's Transpose kernel. */
export function transposeLastTwo(backendName: string, backend: KernelBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = rank === 2 ? [1, 0] : [0, 2, 1];
  return runKernel('Transpose', backendName, backend, { x }, { perm });
}

export function disposeInfo(backend: KernelBackendLike, info: tf.TensorInfo): void {
  backend.disposeData(info.dataId);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Rows `start … start + count − 1` of a rank-2 TensorInfo: the input itself (owned: false) or a Slice to dispose. */
export function sliceRows(
  backendName: string,
  backend: KernelBackendLike,
  x2d: tf.TensorInfo,
  start: number,
  count: number,
): { rows: tf.TensorInfo; owned: boolean } {
  if (start === 0 && count === x2d.shape[0]) return { rows: x2d, owned: false };
  const rows = runKernel(
    'Slice',
    backendName,
    backend,
    { x: x2d },
    { begin: [start, 0], size: [count, x2d.shape[1]!] },
  );
  return { rows, owned: true };
}

/**
 * The one-line error of a kernel that refuses an input: `<kernel>: expected <what>, got <dtype> [<shape>].` (or `got
 * none.` for a missing input).
 */
export function inputError(kernelName: string, what: string, got: tf.TensorInfo | undefined): Error {
  return new Error(`${kernelName}: expected ${what}, got ${got ? `${got.dtype} [${got.shape}]` : 'none'}.`);
}
