/** The native kernels (`@vaejs/backend` calls them on buffers of the tfjs wasm heap). */
export interface NativeAddon {
  info(): { library: string; version: string; isa: string; threads: number };
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
  /** Sums x [outer, inner] over its leading (out [inner]) or trailing (out [outer]) part. */
  sum(x: Float32Array, out: Float32Array, outer: number, inner: number, leading: boolean): void;
  exp(x: Float32Array, out: Float32Array): void;
  /** out[i] = x[indices[i]] for rows of rowSize; false (nothing written) when an index is outside [0, rows). */
  gatherRows(x: Float32Array, indices: Int32Array, out: Float32Array, rows: number, rowSize: number): boolean;
  /** out = x [d0, d1, d2, d3] padded with value: shape, before and after as 4 numbers each, then the value. */
  pad(x: Float32Array, out: Float32Array, ...shapeBeforeAfterValue: number[]): void;
  /** out = a + b (op 0), a − b (1) or a · b (2); a or b may be shorter than out and repeat (a broadcast suffix). */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
}

/** Loads the prebuilt addon for this platform; throws an Error saying why it cannot. */
export function load(): NativeAddon;
/** Where the addon for this platform is (it may be missing). */
export const addonPath: string;
/** `${process.platform}-${process.arch}` */
export const platform: string;
