// Element-wise and data-movement kernels where tfjs-backend-wasm is slow on large tensors (a PixelCNN prior's step
// spends a third of its time in them): tanh (scalar std::tanh there), slices and transposes of up to 4 axes, and sums
// over leading or trailing axes. Vectorised for the CPU at run time (target_clones); sums add in tfjs' order.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "napi-util.h"

namespace vaejs {

namespace {

// tanh as a rational function of x (odd polynomial of degree 13 over one of degree 6), the form Eigen uses for float:
// a few ulp from std::tanh on [−7.9, 7.9], ±1 beyond (where float tanh is ±1 to the last bit).
__attribute__((target_clones("avx512f", "avx2", "default")))
void tanhLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  const float alpha1 = 4.89352455891786e-03f, alpha3 = 6.37261928875436e-04f, alpha5 = 1.48572235717979e-05f,
              alpha7 = 5.12229709037114e-08f, alpha9 = -8.60467152213735e-11f, alpha11 = 2.00018790482477e-13f,
              alpha13 = -2.76076847742355e-16f;
  const float beta0 = 4.89352518554385e-03f, beta2 = 2.26843463243900e-03f, beta4 = 1.18534705686654e-04f,
              beta6 = 1.19825839466702e-06f;
  for (int64_t i = 0; i < size; i++) {
    const float v = x[i];
    const float high = v > 7.90531110763549805f ? 7.90531110763549805f : v;
    const float clamped = high < -7.90531110763549805f ? -7.90531110763549805f : high;
    const float x2 = clamped * clamped;
    float p = x2 * alpha13 + alpha11;
    p = x2 * p + alpha9;
    p = x2 * p + alpha7;
    p = x2 * p + alpha5;
    p = x2 * p + alpha3;
    p = x2 * p + alpha1;
    p = clamped * p;
    float q = x2 * beta6 + beta4;
    q = x2 * q + beta2;
    q = x2 * q + beta0;
    const float tiny = v < 0.0004f && v > -0.0004f ? 1.f : 0.f;  // tanh(x) = x to float precision
    out[i] = tiny * v + (1.f - tiny) * (p / q);
  }
}

// exp by range reduction, x = n·ln 2 + r with |r| ≤ ln 2 / 2, and a degree-7 polynomial for e^r (Cephes' expf
// coefficients): within 2 float ulps of std::exp; 0 below −87.34 and +∞ above 88.72, as float exp rounds.
__attribute__((target_clones("avx512f", "avx2", "default")))
void expLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) {
    const float v = x[i];
    const float high = v > 88.72283905206835f ? 88.72283905206835f : v;
    const float clamped = high < -87.33654475f ? -87.33654475f : high;
    const float t = clamped * 1.44269504088896341f + 0.5f;
    const float n = std::floor(t);
    const int32_t k = static_cast<int32_t>(n);
    float r = clamped - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    const float z = r * r;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1.f;
    // 2^k as two normal powers (k reaches 128 near the top of the range, −126 near the bottom)
    const int32_t k1 = k >> 1, k2 = k - k1;
    const float scale1 = __builtin_bit_cast(float, (k1 + 127) << 23);
    const float scale2 = __builtin_bit_cast(float, (k2 + 127) << 23);
    float result = y * scale1 * scale2;
    result = v > 88.72283905206835f ? INFINITY : result;
    result = v < -87.33654475f ? 0.f : result;
    out[i] = v != v ? v : result;  // NaN stays NaN
  }
}

/** out = a op b over `size` values, where a or b repeats (its `period` values again and again: a broadcast suffix). */
template <int Op>
__attribute__((target_clones("avx512f", "avx2", "default")))
void binaryLoop(const float* a, const float* b, float* out, int64_t size, int64_t aPeriod, int64_t bPeriod) {
  const int64_t period = aPeriod < bPeriod ? aPeriod : bPeriod;
  for (int64_t start = 0; start < size; start += period) {
    const float* aRow = aPeriod == size ? a + start : a;
    const float* bRow = bPeriod == size ? b + start : b;
    float* outRow = out + start;
    for (int64_t j = 0; j < period; j++) {
      if (Op == 0) outRow[j] = aRow[j] + bRow[j];
      if (Op == 1) outRow[j] = aRow[j] - bRow[j];
      if (Op == 2) outRow[j] = aRow[j] * bRow[j];
    }
  }
}

/** out[j] = Σ_i x[i·inner + j] (a sum over the leading axes), adding rows in order. */
__attribute__((target_clones("avx512f", "avx2", "default")))
void sumLeading(const float* __restrict x, float* __restrict out, int64_t outer, int64_t inner) {
  for (int64_t j = 0; j < inner; j++) out[j] = 0.f;
  for (int64_t i = 0; i < outer; i++) {
    const float* row = x + i * inner;
    for (int64_t j = 0; j < inner; j++) out[j] += row[j];
  }
}

/** out[i] = Σ_j x[i·inner + j] (a sum over the trailing axes), in order. */
void sumTrailing(const float* __restrict x, float* __restrict out, int64_t outer, int64_t inner) {
  for (int64_t i = 0; i < outer; i++) {
    const float* row = x + i * inner;
    float sum = 0.f;
    for (int64_t j = 0; j < inner; j++) sum += row[j];
    out[i] = sum;
  }
}

void readInts(napi_env env, napi_value* argv, int64_t* out, int count, const char* name) {
  for (int i = 0; i < count; i++) out[i] = intArg(env, argv[i], name);
}

}  // namespace

/** tanh(x, out): out = tanh(x), element-wise. */
napi_value Tanh(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  readArgs(env, info, argv, 2, "tanh");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  if (outLength != xLength) throw NativeError("tanh: expected x and out of one size");
  tanhLoop(x, out, static_cast<int64_t>(xLength));
  return nullptr;
}

/**
 * binary(op, a, b, out): out = a + b (op 0), a − b (1) or a · b (2), where a and b have out's size or one of them
 * repeats (a broadcast over leading axes: its size divides out's).
 */
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  readArgs(env, info, argv, 4, "binary");
  const int64_t op = intArg(env, argv[0], "op");
  size_t aLength, bLength, outLength;
  const float* a = floatArray(env, argv[1], "a", &aLength);
  const float* b = floatArray(env, argv[2], "b", &bLength);
  float* out = floatArray(env, argv[3], "out", &outLength);
  const int64_t size = static_cast<int64_t>(outLength), aPeriod = static_cast<int64_t>(aLength),
                bPeriod = static_cast<int64_t>(bLength);
  if (aPeriod == 0 || bPeriod == 0 || (aPeriod != size && bPeriod != size) || size % aPeriod != 0 ||
      size % bPeriod != 0) {
    throw NativeError("binary: expected a and b of out's size, or one of them a divisor of it");
  }
  if (op == 0) binaryLoop<0>(a, b, out, size, aPeriod, bPeriod);
  else if (op == 1) binaryLoop<1>(a, b, out, size, aPeriod, bPeriod);
  else if (op == 2) binaryLoop<2>(a, b, out, size, aPeriod, bPeriod);
  else throw NativeError("binary: expected op 0 (add), 1 (sub) or 2 (mul)");
  return nullptr;
}

/** exp(x, out): out = exp(x), element-wise. */
napi_value Exp(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  readArgs(env, info, argv, 2, "exp");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  if (outLength != xLength) throw NativeError("exp: expected x and out of one size");
  expLoop(x, out, static_cast<int64_t>(xLength));
  return nullptr;
}

/**
 * gatherRows(x, indices, out, rows, rowSize): out[i] = x[indices[i]] for rows of rowSize floats. Returns false
 * (and writes nothing) when an index is outside [0, rows): the caller's kernel then reports it as tfjs does.
 */
napi_value GatherRows(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "gatherRows");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  bool isTyped = false;
  check(env, napi_is_typedarray(env, argv[1], &isTyped), "is_typedarray");
  napi_typedarray_type type;
  size_t count;
  void* data;
  if (!isTyped) throw NativeError("gatherRows: expected indices an Int32Array");
  check(env, napi_get_typedarray_info(env, argv[1], &type, &count, &data, nullptr, nullptr), "typedarray_info");
  if (type != napi_int32_array) throw NativeError("gatherRows: expected indices an Int32Array");
  const int32_t* indices = static_cast<const int32_t*>(data);
  float* out = floatArray(env, argv[2], "out", &outLength);
  const int64_t rows = intArg(env, argv[3], "rows"), rowSize = intArg(env, argv[4], "rowSize");
  if (static_cast<int64_t>(xLength) != rows * rowSize || static_cast<int64_t>(outLength) != int64_t(count) * rowSize) {
    throw NativeError("gatherRows: expected x of rows·rowSize and out of indices·rowSize values");
  }
  napi_value result;
  for (size_t i = 0; i < count; i++) {
    if (indices[i] < 0 || indices[i] >= rows) {
      check(env, napi_get_boolean(env, false, &result), "get_boolean");
      return result;
    }
  }
  for (size_t i = 0; i < count; i++) std::memcpy(out + i * rowSize, x + indices[i] * rowSize, sizeof(float) * rowSize);
  check(env, napi_get_boolean(env, true, &result), "get_boolean");
  return result;
}

/**
 * pad(x, out, d0…d3, before0…before3, after0…after3, value): out = x [d0, d1, d2, d3] with `before`/`after` values
 * of `value` around each axis.
 */
napi_value Pad(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  readArgs(env, info, argv, 15, "pad");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  int64_t d[4], before[4], after[4];
  readInts(env, argv + 2, d, 4, "shape");
  readInts(env, argv + 6, before, 4, "before");
  readInts(env, argv + 10, after, 4, "after");
  const float value = static_cast<float>(numberArg(env, argv[14], "value"));
  int64_t od[4];
  for (int i = 0; i < 4; i++) {
    if (before[i] < 0 || after[i] < 0) throw NativeError("pad: expected paddings ≥ 0");
    od[i] = before[i] + d[i] + after[i];
  }
  if (static_cast<int64_t>(xLength) != d[0] * d[1] * d[2] * d[3] ||
      static_cast<int64_t>(outLength) != od[0] * od[1] * od[2] * od[3]) {
    throw NativeError("pad: expected x and out of the sizes given");
  }
  for (size_t i = 0; i < outLength; i++) out[i] = value;
  const float* source = x;
  for (int64_t i0 = 0; i0 < d[0]; i0++)
    for (int64_t i1 = 0; i1 < d[1]; i1++)
      for (int64_t i2 = 0; i2 < d[2]; i2++) {
        float* row = out + (((before[0] + i0) * od[1] + before[1] + i1) * od[2] + before[2] + i2) * od[3] + before[3];
        std::memcpy(row, source, sizeof(float) * d[3]);
        source += d[3];
      }
  return nullptr;
}

/** slice(x, out, d0, d1, d2, d3, b0, b1, b2, b3, s0, s1, s2, s3): out = x[b : b + s] of a [d0, d1, d2, d3] x. */
napi_value Slice(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  readArgs(env, info, argv, 14, "slice");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  int64_t d[4], b[4], s[4];
  readInts(env, argv + 2, d, 4, "shape");
  readInts(env, argv + 6, b, 4, "begin");
  readInts(env, argv + 10, s, 4, "size");
  for (int i = 0; i < 4; i++) {
    if (b[i] < 0 || s[i] < 0 || b[i] + s[i] > d[i]) throw NativeError("slice: expected begin + size within the shape");
  }
  if (static_cast<int64_t>(xLength) != d[0] * d[1] * d[2] * d[3] ||
      static_cast<int64_t>(outLength) != s[0] * s[1] * s[2] * s[3]) {
    throw NativeError("slice: expected x and out of the sizes given");
  }
  float* target = out;
  for (int64_t i0 = 0; i0 < s[0]; i0++)
    for (int64_t i1 = 0; i1 < s[1]; i1++)
      for (int64_t i2 = 0; i2 < s[2]; i2++) {
        const float* row = x + (((b[0] + i0) * d[1] + b[1] + i1) * d[2] + b[2] + i2) * d[3] + b[3];
        std::memcpy(target, row, sizeof(float) * s[3]);
        target += s[3];
      }
  return nullptr;
}

/** transpose(x, out, d0, d1, d2, d3, p0, p1, p2, p3): out = x with axes permuted (out axis i is x axis p[i]). */
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  readArgs(env, info, argv, 10, "transpose");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  int64_t d[4], p[4];
  readInts(env, argv + 2, d, 4, "shape");
  readInts(env, argv + 6, p, 4, "perm");
  const int64_t size = d[0] * d[1] * d[2] * d[3];
  if (static_cast<int64_t>(xLength) != size || static_cast<int64_t>(outLength) != size) {
    throw NativeError("transpose: expected x and out of the size given");
  }
  const int64_t stride[4] = {d[1] * d[2] * d[3], d[2] * d[3], d[3], 1};
  int64_t od[4], os[4];
  for (int i = 0; i < 4; i++) {
    if (p[i] < 0 || p[i] > 3) throw NativeError("transpose: expected a permutation of 0…3");
    od[i] = d[p[i]];
    os[i] = stride[p[i]];
  }
  const int64_t ostride[4] = {od[1] * od[2] * od[3], od[2] * od[3], od[3], 1};
  // j: the out axis that is x's innermost (contiguous) axis. When it is out's innermost too, rows copy as they are;
  // otherwise the (j, 3) plane is copied in 32×32 tiles, so that reads and writes both stay within a few cache lines.
  int j = 0;
  while (j < 3 && os[j] != 1) j++;
  if (j == 3) {
    float* target = out;
    for (int64_t i0 = 0; i0 < od[0]; i0++)
      for (int64_t i1 = 0; i1 < od[1]; i1++)
        for (int64_t i2 = 0; i2 < od[2]; i2++) {
          std::memcpy(target, x + i0 * os[0] + i1 * os[1] + i2 * os[2], sizeof(float) * od[3]);
          target += od[3];
        }
    return nullptr;
  }
  int others[2], count = 0;
  for (int axis = 0; axis < 3; axis++)
    if (axis != j) others[count++] = axis;
  const int64_t tile = 32;
  const int a = others[0], b = others[1];
  for (int64_t ia = 0; ia < od[a]; ia++)
    for (int64_t ib = 0; ib < od[b]; ib++) {
      const float* xBase = x + ia * os[a] + ib * os[b];
      float* outBase = out + ia * ostride[a] + ib * ostride[b];
      for (int64_t j0 = 0; j0 < od[j]; j0 += tile)
        for (int64_t k0 = 0; k0 < od[3]; k0 += tile) {
          const int64_t j1 = j0 + tile < od[j] ? j0 + tile : od[j], k1 = k0 + tile < od[3] ? k0 + tile : od[3];
          for (int64_t ij = j0; ij < j1; ij++)
            for (int64_t ik = k0; ik < k1; ik++) outBase[ij * ostride[j] + ik] = xBase[ij * os[j] + ik * os[3]];
        }
    }
  return nullptr;
}

/** sum(x, out, outer, inner, leading): sums over the leading (out has inner values) or trailing (outer) axes. */
napi_value Sum(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "sum");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  const int64_t outer = intArg(env, argv[2], "outer"), inner = intArg(env, argv[3], "inner");
  bool leading;
  check(env, napi_get_value_bool(env, argv[4], &leading), "leading");
  if (static_cast<int64_t>(xLength) != outer * inner ||
      static_cast<int64_t>(outLength) != (leading ? inner : outer)) {
    throw NativeError("sum: expected x of outer·inner values and out of the size left");
  }
  if (leading) sumLeading(x, out, outer, inner);
  else sumTrailing(x, out, outer, inner);
  return nullptr;
}

}  // namespace vaejs
