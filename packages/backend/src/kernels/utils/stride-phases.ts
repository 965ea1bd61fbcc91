// Conv2DBackpropInput (dx of conv2d, and the forward pass of conv2dTranspose) as s_h·s_w stride-1 convolutions on
// the backend's own Conv2D (XNNPACK on wasm, multithreaded), one per stride phase, interleaved into dx:
//   with p = i + padTop = q·s + r (0 ≤ r < s),   dx[i] = Σ_j dy[q − j] · W[r + s·j]ᵀ   (j = 0 … J_r − 1),
// a stride-1 correlation of dy with the phase filter F_r[t] = W[r + s·(J_r − 1 − t)] (channels swapped to
// [co, ci]). Same FLOPs as the gradient up to the rounding of the phases' extents, no column matrix.
import type * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvAttrs as GeometryAttrs } from './conv-geometry';
import { disposeInfo, type KernelBackendLike, runKernel, type WasmBackendLike } from './kernel-utils';

type ConvAttrs = GeometryAttrs & { inputShape: number[] };

interface AxisPlan {
  stride: number;
  /** Taps of each phase: ceil((k − r) / s). */
  taps: number[];
  /** First q computed (the same for every phase) and how many. */
  qStart: number;
  qCount: number;
  /** Explicit conv padding before (per phase) and after (per phase). */
  padBefore: number[];
  padAfter: number[];
}

function planAxis(size: number, outSize: number, kernel: number, stride: number, pad: number): AxisPlan | null {
  const qStart = Math.floor(pad / stride);
  const qCount = Math.floor((pad + size - 1) / stride) - qStart + 1;
  const taps: number[] = [];
  const padBefore: number[] = [];
  const padAfter: number[] = [];
  for (let r = 0; r < stride; r++) {
    const t = Math.ceil((kernel - r) / stride);
    const before = t - 1 - qStart;
    if (t < 1 || before < 0) return null;
    taps.push(t);
    padBefore.push(before);
    padAfter.push(Math.max(0, qCount + t - 1 - outSize - before));
  }
  return { stride, taps, qStart, qCount, padBefore, padAfter };
}

/** The two axis plans, or null when the phase route does not apply (dilations, NCHW, a phase without taps). */
export function planPhases(
  dyShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): { g: ReturnType<typeof convGeometry>; rows: AxisPlan; cols: AxisPlan } | null {
  if (attrs.dataFormat === 'NCHW') return null;
  const g = convGeometry(attrs.inputShape, filterShape, attrs);
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return null;
  if (g.outHeight !== dyShape[1] || g.outWidth !== dyShape[2]) return null;
  const rows = planAxis(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.padTop);
  const cols = planAxis(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.padLeft);
  return rows && cols ? { g, rows, cols } : null;
}

/** Phase filter [Jh, Jw, co, ci] for phase (rh, rw), written from the filter [kh, kw, ci, co] on the heap. */
function phaseFilter(
  backend: WasmBackendLike,
  filter: tf.TensorInfo,
  p: NonNullable<ReturnType<typeof planPhases>>,
  rh: number,
  rw: number,
): tf.TensorInfo {
  const [, kw, ci, co] = filter.shape as [number, number, number, number];
  const jh = p.rows.taps[rh]!;
  const jw = p.cols.taps[rw]!;
  const out = backend.makeOutput([jh, jw, co, ci], 'float32');
  const w = backend.typedArrayFromHeap(filter);
  const f = backend.typedArrayFromHeap(out);
  let o = 0;
  for (let th = 0; th < jh; th++) {
    const khIndex = rh + p.rows.stride * (jh - 1 - th);
    for (let tw = 0; tw < jw; tw++) {
      const kwIndex = rw + p.cols.stride * (jw - 1 - tw);
      const base = (khIndex * kw + kwIndex) * ci * co;
      for (let c = 0; c < co; c++) {
        for (let i = 0; i < ci; i++) f[o++] = w[base + i * co + c]!;
      }
    }
  }
  return out;
}

/**
 * dx [b, h, w, ci] of the NHWC convolution with filter [kh, kw, ci, co] whose output gradient is dy [b, oh, ow, co],
 * via stride-phase Conv2Ds. `plan` comes from `planPhases` (non-null).
 */
export function conv2dBackpropInputByPhases(
  backendName: string,
  backend: WasmBackendLike,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  plan: NonNullable<ReturnType<typeof planPhases>>,
): tf.TensorInfo {
  const { g, rows, cols } = plan;
  const ci = g.inChannels;
  const dx = backend.makeOutput([g.batchSize, g.inHeight, g.inWidth, ci], 'float32');
  for (let rh = 0; rh < rows.stride; rh++) {
    for (let rw = 0; rw < cols.stride; rw++) {
      const f = phaseFilter(backend, filter, plan, rh, rw);
      let y: tf.TensorInfo;
      try {
        y = runKernel(
          'Conv2D',
          backendName,
          backend as KernelBackendLike,
          { x: dy, filter: f },
          {
            strides: 1,
            dilations: 1,
            pad: [
              [0, 0],
              [rows.padBefore[rh]!, rows.padAfter[rh]!],
              [cols.padBefore[rw]!, cols.padAfter[rw]!],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          },
        ); // [b, ≥qCountH, ≥qCountW, ci]
      } finally {
        disposeInfo(backend, f);
      }
      scatterPhase(backend.typedArrayFromHeap(y), y.shape, backend.typedArrayFromHeap(dx), plan, rh, rw);
      disposeInfo(backend, y);
    }
  }
  return dx;
}

/** Copies phase (rh, rw)'s rows and columns that fall inside dx to their places (i = q·s + r − pad). */
function scatterPhase(
  y: Float32Array,
  yShape: number[],
  dx: Float32Array,
  plan: NonNullable<ReturnType<typeof planPhases>>,
  rh: number,
  rw: number,
): void {
  const { g, rows, cols } = plan;
  const ci = g.inChannels;
  const [, yh, yw] = yShape as [number, number, number, number];
  for (let b = 0; b < g.batchSize; b++) {
    for (let u = 0; u < rows.qCount; u++) {
      const i = (rows.qStart + u) * rows.stride + rh - g.padTop;
      if (i < 0 || i >= g.inHeight) continue;
      const yRow = (b * yh + u) * yw;
      const dxRow = (b * g.inHeight + i) * g.inWidth;
      for (let v = 0; v < cols.qCount; v++) {
        const j = (cols.qStart + v) * cols.stride + rw - g.padLeft;
        if (j < 0 || j >= g.inWidth) continue;
        const src = (yRow + v) * ci;
        const dst = (dxRow + j) * ci;
        for (let c = 0; c < ci; c++) dx[dst + c] = y[src + c]!;
      }
    }
  }
}
