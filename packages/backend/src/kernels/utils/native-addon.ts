// The native addon (@vaejs/backend-native) as the native kernels see it: its functions, the one instance in use, and
// the wasm heap views its functions read and write. Crossing into the addon costs about half a microsecond; each
// call does a whole matMul, convolution or variable update.
import type * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-utils';

/** What the addon says about itself. */
export interface NativeInfo {
  /** The library behind the kernels, e.g. 'oneDNN'. */
  library: string;
  /** Its version, e.g. '2.6.3'. */
  version: string;
  /** The instruction set its JIT kernels run on here, e.g. 'avx512_core' or 'avx2'. */
  isa: string;
  /** Threads it computes on. */
  threads: number;
}

/** The arguments `gate` and `gateGrad` share. */
export type NativeGateArgs = [
  x: Float32Array,
  bias: Float32Array | null,
  out: Float32Array,
  rows: number,
  channels: number,
  rowsPerExample: number,
];

/**
 * The functions of @vaejs/backend-native's addon: their one definition (the addon's `load()` is typed loosely, as
 * the package is optional; {@link NATIVE_FUNCTIONS} is what loading checks).
 */
export interface NativeAddon {
  info(): NativeInfo;
  setThreads(threads: number): number;
  matMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    batchA: number,
    batchB: number,
    activation: number,
    alpha: number,
  ): void;
  conv2D(
    x: Float32Array,
    filter: Float32Array,
    out: Float32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
    ...geometry: number[]
  ): void;
  conv2DBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, ...geometry: number[]): void;
  conv2DBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, ...geometry: number[]): void;
  adam(
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    newValue: Float32Array,
    beta1: number,
    beta2: number,
    accBeta1: number,
    accBeta2: number,
    epsilon: number,
    learningRate: number,
  ): void;
  tanh(x: Float32Array, out: Float32Array): void;
  /** out = x[begin : begin + size] of x [d0, d1, d2, d3]: shape, begin and size as 4 numbers each. */
  slice(x: Float32Array, out: Float32Array, ...shapeBeginSize: number[]): void;
  /** out = x [d0, d1, d2, d3] with its axes permuted by perm: shape then perm, 4 numbers each. */
  transpose(x: Float32Array, out: Float32Array, ...shapePerm: number[]): void;
  /** out [outer, inner] = x [outer, reduced, inner] summed over its middle axis, rows added in order. */
  sum(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): void;
  exp(x: Float32Array, out: Float32Array): void;
  sigmoid(x: Float32Array, out: Float32Array): void;
  log1p(x: Float32Array, out: Float32Array): void;
  /** out[i] = x[indices[i]] for rows of rowSize; false (nothing written) when an index is outside [0, rows). */
  gatherRows(x: Float32Array, indices: Int32Array, out: Float32Array, rows: number, rowSize: number): boolean;
  /** out[r·outRowSize + offset + j] = x[r·rowSize + j]: one input of a concatenation placed in out's rows. */
  copyRows(x: Float32Array, out: Float32Array, rows: number, rowSize: number, outRowSize: number, offset: number): void;
  /** out = x [d0, d1, d2, d3] padded with value: shape, before and after as 4 numbers each, then the value. */
  pad(x: Float32Array, out: Float32Array, ...shapeBeforeAfterValue: number[]): void;
  /**
   * out [rows, C] = tanh(a) · sigmoid(b), a and b the halves of each row of x [rows, 2C] plus, when bias is not null,
   * its row [2C] for the example (rowsPerExample rows each).
   */
  gate(...args: NativeGateArgs): void;
  /** out [rows, 2C] = the gradient of `gate` w.r.t. x for dy [rows, C] (t and s computed again from x and bias). */
  gateGrad(...args: [...NativeGateArgs, dy: Float32Array]): void;
  /** out [rows] = Σ x·l − softplus(l) over each row of x and logits [rows, cols] (the Bernoulli log-likelihood). */
  bernoulli(x: Float32Array, logits: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out [rows, cols] = dy[row] · (x − sigmoid(l)): the gradient of `bernoulli` w.r.t. the logits for dy [rows]. */
  bernoulliGrad(
    x: Float32Array,
    logits: Float32Array,
    dy: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** out = mean + exp(logVar / 2)·eps, element-wise (all of one size). */
  gaussianSample(mean: Float32Array, logVar: Float32Array, eps: Float32Array, out: Float32Array): void;
  /** dMean = dy, dLogVar = dy·eps·exp(logVar / 2)·½: the gradient of `gaussianSample` for dy. */
  gaussianSampleGrad(
    dy: Float32Array,
    logVar: Float32Array,
    eps: Float32Array,
    dMean: Float32Array,
    dLogVar: Float32Array,
  ): void;
  /** out [rows] = Σ ½·(exp(lv) + μ² − lv − 1) over each row of mean and logVar [rows, cols]. */
  gaussianKl(mean: Float32Array, logVar: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** dMean = dy[row]·μ, dLogVar = ½·dy[row]·(exp(lv) − 1): the gradient of `gaussianKl` for dy [rows]. */
  gaussianKlGrad(
    dy: Float32Array,
    mean: Float32Array,
    logVar: Float32Array,
    dMean: Float32Array,
    dLogVar: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /**
   * out [outer, middle, inner] = a + b (op 0), a − b (1) or a · b (2), a and b each [outer or 1, middle or 1, inner or
   * 1] as their axes' bits say (4 outer, 2 middle, 1 inner).
   */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    outer: number,
    middle: number,
    inner: number,
    aAxes: number,
    bAxes: number,
  ): void;
}

/** Every function of the addon: loading checks that the addon has them all (the type says the list is complete). */
export const NATIVE_FUNCTIONS = [
  'info',
  'setThreads',
  'matMul',
  'conv2D',
  'conv2DBackpropInput',
  'conv2DBackpropFilter',
  'adam',
  'tanh',
  'slice',
  'transpose',
  'sum',
  'exp',
  'sigmoid',
  'log1p',
  'gatherRows',
  'copyRows',
  'pad',
  'binary',
  'gate',
  'gateGrad',
  'bernoulli',
  'bernoulliGrad',
  'gaussianSample',
  'gaussianSampleGrad',
  'gaussianKl',
  'gaussianKlGrad',
] as const satisfies readonly (keyof NativeAddon)[];

// a function added to NativeAddon but not to NATIVE_FUNCTIONS fails to compile here
type Unlisted = Exclude<keyof NativeAddon, (typeof NATIVE_FUNCTIONS)[number]>;
const allListed: Unlisted extends never ? true : never = true;
void allListed;

/** The activation codes of the addon (addon/src/activation.h); tfjs' names that it computes. */
export const NATIVE_ACTIVATIONS: Readonly<Record<string, number>> = Object.freeze({
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  sigmoid: 5,
});

let active: NativeAddon | null = null;

/** Sets (or clears) the addon the native kernels call; enableFastTraining does, before registering them. */
export function setNativeAddon(addon: NativeAddon | null): void {
  active = addon;
}

/** The addon the native kernels call. */
export function nativeAddon(): NativeAddon {
  if (active == null) throw new Error('native kernels: no native addon is loaded (enableFastTraining sets it).');
  return active;
}

/** A float32 view of a tensor's buffer on the wasm heap. Take views after the last allocation: growth detaches them. */
export function heapView(backend: WasmBackendLike, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info);
}
