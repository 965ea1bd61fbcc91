// Element-wise and data-movement kernels where tfjs-backend-wasm is slow on large tensors (a PixelCNN prior's step
// spends a third of its time in them): tanh, exp, sigmoid and log1p (scalar libm there), add, subtract and multiply
// with the broadcasts a step makes, slices and transposes of up to 4 axes, and sums over a run of axes. Vectorised for
// the CPU at run time (target_clones); sums add in tfjs' order.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"
#include "napi-util.h"
#include "parallel.h"

namespace vaejs {

namespace {

// tanh as a rational function of x (odd polynomial of degree 13 over one of degree 6), the form Eigen uses for float:
// a few ulp from std::tanh on [−7.9, 7.9], ±1 beyond and at ±∞ (where float tanh is ±1 to the last bit).
inline float tanhValue(float v) {
  const float alpha1 = 4.89352455891786e-03f, alpha3 = 6.37261928875436e-04f, alpha5 = 1.48572235717979e-05f,
              alpha7 = 5.12229709037114e-08f, alpha9 = -8.60467152213735e-11f, alpha11 = 2.00018790482477e-13f,
              alpha13 = -2.76076847742355e-16f;
  const float beta0 = 4.89352518554385e-03f, beta2 = 2.26843463243900e-03f, beta4 = 1.18534705686654e-04f,
              beta6 = 1.19825839466702e-06f;
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
  // tanh(x) = x to float precision near 0; a select (not tiny·v + (1 − tiny)·p/q, which makes ±∞ a NaN)
  return v < 0.0004f && v > -0.0004f ? v : p / q;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void tanhLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = tanhValue(x[i]);
}

// exp by range reduction, x = n·ln 2 + r with |r| ≤ ln 2 / 2, and a degree-7 polynomial for e^r (Cephes' expf
// coefficients): within 2 float ulps of std::exp; 0 below −87.34 and +∞ above 88.72, as float exp rounds.
inline float expPoly(float v) {
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
  return v != v ? v : result;  // NaN stays NaN
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void expLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = expPoly(x[i]);
}

// sigmoid from e = exp(−|x|): 1 / (1 + e) for x ≥ 0, e / (1 + e) below (no overflow, no cancellation); a few ulps
// from the exact value, 0 and 1 where it rounds there.
inline float sigmoidValue(float v) {
  const float e = expPoly(v < 0.f ? v : -v);
  const float s = 1.f / (1.f + e);
  return v >= 0.f ? s : (v < 0.f ? e * s : v);  // NaN stays NaN
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void sigmoidLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = sigmoidValue(x[i]);
}

// log1p(x) = log(u) · x / (u − 1) with u = 1 + x rounded (Goldberg's correction: the rounding of u cancels), and
// log(u) = e·ln 2 + log(m), m ∈ [√½, √2), by Cephes' logf polynomial: within a few float ulps of std::log1p;
// −∞ at −1, NaN below, +∞ at +∞, x itself where u rounds to 1.
inline float log1pValue(float v) {
  const float u = 1.f + v;
  const int32_t bits = __builtin_bit_cast(int32_t, u);
  float e = static_cast<float>(((bits >> 23) & 0xff) - 126);
  float m = __builtin_bit_cast(float, (bits & 0x807fffff) | 0x3f000000);  // u = m · 2^e, m ∈ [½, 1)
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1.f : e;
  m = small ? m + m - 1.f : m - 1.f;
  const float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  y = y + -2.12194440e-4f * e;
  y = y + -0.5f * z;
  const float logU = m + y + 0.693359375f * e;
  const float denominator = u - 1.f;
  float result = denominator == 0.f ? v : logU * (v / denominator);
  result = u == INFINITY ? INFINITY : result;
  result = v == -1.f ? -INFINITY : result;
  return v < -1.f || v != v ? NAN : result;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void log1pLoop(const float* __restrict x, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = log1pValue(x[i]);
}

template <int Op>
inline float apply(float a, float b) {
  if (Op == 0) return a + b;
  if (Op == 1) return a - b;
  return a * b;
}

/**
 * One row of out = a op b: `inner` values, where a or b may be one value repeated (its inner stride 0). The three
 * cases are separate loops so that each vectorises.
 */
template <int Op>
__attribute__((target_clones("avx512f", "avx2", "default")))
void binaryRow(const float* __restrict a, const float* __restrict b, float* __restrict out, int64_t inner,
               bool aFull, bool bFull) {
  if (aFull && bFull) {
    for (int64_t j = 0; j < inner; j++) out[j] = apply<Op>(a[j], b[j]);
  } else if (aFull) {
    const float value = b[0];
    for (int64_t j = 0; j < inner; j++) out[j] = apply<Op>(a[j], value);
  } else if (bFull) {
    const float value = a[0];
    for (int64_t j = 0; j < inner; j++) out[j] = apply<Op>(value, b[j]);
  } else {
    const float value = apply<Op>(a[0], b[0]);
    for (int64_t j = 0; j < inner; j++) out[j] = value;
  }
}

/**
 * out [outer, middle, inner] = a op b, each operand [outer or 1, middle or 1, inner or 1] (`aAxes`/`bAxes`: bit 2
 * outer, 1 middle, 0 inner) — every broadcast a training step makes, once tfjs' shapes are folded into three axes:
 * a scalar (0b000), a bias over the leading axes (0b001), a per-example-per-channel term [n, 1, 1, c] over
 * [n, h, w, c] (0b101).
 */
template <int Op>
void binaryLoop(const float* a, const float* b, float* out, int64_t outer, int64_t middle, int64_t inner, int aAxes,
                int bAxes) {
  const bool aInner = aAxes & 1, bInner = bAxes & 1;
  const int64_t aRow = aInner ? inner : 1, bRow = bInner ? inner : 1;
  const int64_t aOuter = (aAxes & 2 ? middle : 1) * aRow, bOuter = (bAxes & 2 ? middle : 1) * bRow;
  const auto rows = [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; row++) {
      const int64_t o = row / middle, m = row % middle;
      binaryRow<Op>(a + (aAxes & 4 ? o * aOuter : 0) + (aAxes & 2 ? m * aRow : 0),
                    b + (bAxes & 4 ? o * bOuter : 0) + (bAxes & 2 ? m * bRow : 0), out + row * inner, inner, aInner,
                    bInner);
    }
  };
  if (inner >= kParallelGrain || outer * middle == 1) {
    // long rows (one scalar over a whole tensor): split each row instead
    for (int64_t row = 0; row < outer * middle; row++) {
      const int64_t o = row / middle, m = row % middle;
      const float* aStart = a + (aAxes & 4 ? o * aOuter : 0) + (aAxes & 2 ? m * aRow : 0);
      const float* bStart = b + (bAxes & 4 ? o * bOuter : 0) + (bAxes & 2 ? m * bRow : 0);
      parallelChunks(inner, [&](int64_t begin, int64_t end) {
        binaryRow<Op>(aStart + (aInner ? begin : 0), bStart + (bInner ? begin : 0), out + row * inner + begin,
                      end - begin, aInner, bInner);
      });
    }
    return;
  }
  const int64_t rowGrain = (kParallelGrain + inner - 1) / inner;
  parallelChunks(outer * middle, rows, rowGrain);
}

/**
 * out[o, j] = Σ_r x[o, r, j] over x [outer, reduced, inner] (the reduced axes of tfjs' Sum, folded into one in the
 * middle), adding the r rows in order as the wasm kernel does.
 */
__attribute__((target_clones("avx512f", "avx2", "default")))
void sumMiddle(const float* __restrict x, float* __restrict out, int64_t outer, int64_t reduced, int64_t inner) {
  for (int64_t o = 0; o < outer; o++) {
    float* target = out + o * inner;
    for (int64_t j = 0; j < inner; j++) target[j] = 0.f;
    for (int64_t r = 0; r < reduced; r++) {
      const float* row = x + (o * reduced + r) * inner;
      for (int64_t j = 0; j < inner; j++) target[j] += row[j];
    }
  }
}

/** out[j] = Σ_r x[r, j] for j in [begin, end) of a [reduced, inner] x, the r rows in order. */
__attribute__((target_clones("avx512f", "avx2", "default")))
void sumColumns(const float* __restrict x, float* __restrict out, int64_t reduced, int64_t inner, int64_t begin,
                int64_t end) {
  for (int64_t j = begin; j < end; j++) out[j] = 0.f;
  for (int64_t r = 0; r < reduced; r++) {
    const float* row = x + r * inner;
    for (int64_t j = begin; j < end; j++) out[j] += row[j];
  }
}

/** out[o] = Σ_r x[o, r] (the reduced axes are the trailing ones), in order. */
void sumTrailing(const float* __restrict x, float* __restrict out, int64_t outer, int64_t reduced) {
  for (int64_t o = 0; o < outer; o++) {
    const float* row = x + o * reduced;
    float sum = 0.f;
    for (int64_t r = 0; r < reduced; r++) sum += row[r];
    out[o] = sum;
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
  parallelChunks(static_cast<int64_t>(xLength), [&](int64_t begin, int64_t end) { tanhLoop(x + begin, out + begin, end - begin); });
  return nullptr;
}

/**
 * binary(op, a, b, out, outer, middle, inner, aAxes, bAxes): out [outer, middle, inner] = a + b (op 0), a − b (1) or
 * a · b (2), a and b each [outer or 1, middle or 1, inner or 1] as their bits say (4 outer, 2 middle, 1 inner).
 */
napi_value Binary(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  readArgs(env, info, argv, 9, "binary");
  const int64_t op = intArg(env, argv[0], "op");
  size_t aLength, bLength, outLength;
  const float* a = floatArray(env, argv[1], "a", &aLength);
  const float* b = floatArray(env, argv[2], "b", &bLength);
  float* out = floatArray(env, argv[3], "out", &outLength);
  int64_t dims[5];
  readInts(env, argv + 4, dims, 5, "binary");
  const int64_t outer = dims[0], middle = dims[1], inner = dims[2];
  const int aAxes = static_cast<int>(dims[3]), bAxes = static_cast<int>(dims[4]);
  const auto sizeOf = [&](int axes) {
    return (axes & 4 ? outer : 1) * (axes & 2 ? middle : 1) * (axes & 1 ? inner : 1);
  };
  if (outer < 0 || middle < 0 || inner < 0 || aAxes < 0 || aAxes > 7 || bAxes < 0 || bAxes > 7 ||
      static_cast<int64_t>(outLength) != outer * middle * inner || static_cast<int64_t>(aLength) != sizeOf(aAxes) ||
      static_cast<int64_t>(bLength) != sizeOf(bAxes)) {
    throw NativeError("binary: expected out of outer·middle·inner values and a, b of the sizes their axes give");
  }
  if (op == 0) binaryLoop<0>(a, b, out, outer, middle, inner, aAxes, bAxes);
  else if (op == 1) binaryLoop<1>(a, b, out, outer, middle, inner, aAxes, bAxes);
  else if (op == 2) binaryLoop<2>(a, b, out, outer, middle, inner, aAxes, bAxes);
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
  parallelChunks(static_cast<int64_t>(xLength), [&](int64_t begin, int64_t end) { expLoop(x + begin, out + begin, end - begin); });
  return nullptr;
}

/** sigmoid(x, out): out = 1 / (1 + exp(−x)), element-wise. */
napi_value Sigmoid(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  readArgs(env, info, argv, 2, "sigmoid");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  if (outLength != xLength) throw NativeError("sigmoid: expected x and out of one size");
  parallelChunks(static_cast<int64_t>(xLength), [&](int64_t begin, int64_t end) { sigmoidLoop(x + begin, out + begin, end - begin); });
  return nullptr;
}

/** log1p(x, out): out = log(1 + x), element-wise. */
napi_value Log1p(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  readArgs(env, info, argv, 2, "log1p");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  if (outLength != xLength) throw NativeError("log1p: expected x and out of one size");
  parallelChunks(static_cast<int64_t>(xLength), [&](int64_t begin, int64_t end) { log1pLoop(x + begin, out + begin, end - begin); });
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

/**
 * copyRows(x, out, rows, rowSize, outRowSize, offset): out[r·outRowSize + offset + j] = x[r·rowSize + j] — one input of a
 * concatenation, its rows placed beside the other inputs' (axis 0: one row each, a single memcpy).
 */
napi_value CopyRows(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  readArgs(env, info, argv, 6, "copyRows");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  int64_t dims[4];
  readInts(env, argv + 2, dims, 4, "copyRows");
  const int64_t rows = dims[0], rowSize = dims[1], outRowSize = dims[2], offset = dims[3];
  if (rows < 0 || rowSize < 0 || offset < 0 || offset + rowSize > outRowSize ||
      static_cast<int64_t>(xLength) != rows * rowSize || static_cast<int64_t>(outLength) < rows * outRowSize) {
    throw NativeError("copyRows: expected x of rows·rowSize values placed within out's rows");
  }
  if (rowSize == outRowSize) {
    std::memcpy(out, x, sizeof(float) * rows * rowSize);
    return nullptr;
  }
  for (int64_t r = 0; r < rows; r++) std::memcpy(out + r * outRowSize + offset, x + r * rowSize, sizeof(float) * rowSize);
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

/** sum(x, out, outer, reduced, inner): out [outer, inner] = x [outer, reduced, inner] summed over its middle axis. */
napi_value Sum(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "sum");
  size_t xLength, outLength;
  const float* x = floatArray(env, argv[0], "x", &xLength);
  float* out = floatArray(env, argv[1], "out", &outLength);
  int64_t dims[3];
  readInts(env, argv + 2, dims, 3, "sum");
  const int64_t outer = dims[0], reduced = dims[1], inner = dims[2];
  if (outer < 0 || reduced < 0 || inner < 0 || static_cast<int64_t>(xLength) != outer * reduced * inner ||
      static_cast<int64_t>(outLength) != outer * inner) {
    throw NativeError("sum: expected x of outer·reduced·inner values and out of outer·inner");
  }
  // split over the outputs, each summed over its r in order as on one thread
  if (inner == 1) {
    parallelChunks(outer, [&](int64_t begin, int64_t end) { sumTrailing(x + begin * reduced, out + begin, end - begin, reduced); },
                   (kParallelGrain + reduced - 1) / reduced);
  } else if (outer > 1) {
    parallelChunks(outer, [&](int64_t begin, int64_t end) {
      sumMiddle(x + begin * reduced * inner, out + begin * inner, end - begin, reduced, inner);
    }, (kParallelGrain + reduced * inner - 1) / (reduced * inner));
  } else {
    // one group: split the inner axis, each thread its columns (sumMiddle with a row stride of inner)
    parallelChunks(inner, [&](int64_t begin, int64_t end) { sumColumns(x, out, reduced, inner, begin, end); },
                   (kParallelGrain + reduced - 1) / reduced);
  }
  return nullptr;
}


namespace {

// One row of a gate, x [2C] (+ bias [2C]) → out [C] and its gradient → [2C]: every value computed inline in one loop
// (tanhValue and sigmoidValue as the Tanh and Sigmoid kernels, the bias added first as the Add kernel does, the
// gradient's products in the unfused order: u = dy·s, v = u·t, da = u − v·t, db = v − v·s), so the fused and unfused
// gates agree to the bit.
__attribute__((target_clones("avx512f", "avx2", "default")))
void gateForwardRow(const float* __restrict x, const float* __restrict bias, float* __restrict out, int64_t c) {
  if (bias == nullptr) {
    for (int64_t j = 0; j < c; j++) out[j] = tanhValue(x[j]) * sigmoidValue(x[c + j]);
  } else {
    for (int64_t j = 0; j < c; j++) out[j] = tanhValue(x[j] + bias[j]) * sigmoidValue(x[c + j] + bias[c + j]);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void gateBackwardRow(const float* __restrict x, const float* __restrict bias, const float* __restrict dy,
                     float* __restrict out, int64_t c) {
  for (int64_t j = 0; j < c; j++) {
    const float a = bias == nullptr ? x[j] : x[j] + bias[j];
    const float b = bias == nullptr ? x[c + j] : x[c + j] + bias[c + j];
    const float t = tanhValue(a);
    const float s = sigmoidValue(b);
    const float u = dy[j] * s;
    const float v = u * t;
    out[j] = u - v * t;
    out[c + j] = v - v * s;
  }
}

struct GateArgs {
  const float* x;
  const float* bias;  // null, or [rows / rowsPerExample, 2C]
  float* out;
  int64_t rows;
  int64_t channels;  // C: x has 2C values a row
  int64_t rowsPerExample;
};

/** Reads x [rows, 2C], bias, out and the three sizes from argv (bias may be null), checking the sizes. */
GateArgs readGate(napi_env env, napi_value* argv, const char* name, size_t* outLength) {
  size_t xLength, biasLength = 0;
  GateArgs args{};
  args.x = floatArray(env, argv[0], "x", &xLength);
  args.bias = floatArray(env, argv[1], "bias", &biasLength, true);
  args.out = floatArray(env, argv[2], "out", outLength);
  args.rows = intArg(env, argv[3], name);
  args.channels = intArg(env, argv[4], name);
  args.rowsPerExample = intArg(env, argv[5], name);
  if (args.rows < 0 || args.channels <= 0 || args.rowsPerExample <= 0 || args.rows % args.rowsPerExample != 0 ||
      static_cast<int64_t>(xLength) != args.rows * 2 * args.channels ||
      (args.bias != nullptr &&
       static_cast<int64_t>(biasLength) != args.rows / args.rowsPerExample * 2 * args.channels)) {
    throw NativeError(std::string(name) +
                      ": expected x of rows·2C values, rows a multiple of rowsPerExample and bias null or of "
                      "rows / rowsPerExample · 2C values");
  }
  return args;
}

/** Row `row`'s bias, or null. */
inline const float* biasOf(const GateArgs& g, int64_t row) {
  return g.bias == nullptr ? nullptr : g.bias + (row / g.rowsPerExample) * 2 * g.channels;
}

}  // namespace

/**
 * gate(x, bias, out, rows, channels, rowsPerExample): out [rows, C] = tanh(a) · sigmoid(b), where a and b are the two
 * halves of each row of x [rows, 2C] plus, when bias is not null, its row for the example (rowsPerExample rows each).
 */
napi_value Gate(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  readArgs(env, info, argv, 6, "gate");
  size_t outLength;
  const GateArgs g = readGate(env, argv, "gate", &outLength);
  float* out = g.out;
  const int64_t c = g.channels;
  if (static_cast<int64_t>(outLength) != g.rows * c) throw NativeError("gate: expected out of rows·C values");
  parallelRows(g.rows, c, [&](int64_t row) { gateForwardRow(g.x + row * 2 * c, biasOf(g, row), out + row * c, c); });
  return nullptr;
}

/**
 * gateGrad(x, bias, out, rows, channels, rowsPerExample, dy): the gradient of gate w.r.t. x (and its bias) for dy
 * [rows, C], out [rows, 2C]: da = dy·s·(1 − t²), db = dy·t·s·(1 − s), t and s computed again from x (and the bias).
 */
napi_value GateGrad(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  readArgs(env, info, argv, 7, "gateGrad");
  size_t outLength, dyLength;
  const GateArgs g = readGate(env, argv, "gateGrad", &outLength);
  float* out = g.out;
  const float* dy = floatArray(env, argv[6], "dy", &dyLength);
  const int64_t c = g.channels;
  if (static_cast<int64_t>(outLength) != g.rows * 2 * c || static_cast<int64_t>(dyLength) != g.rows * c) {
    throw NativeError("gateGrad: expected dy of rows·C values and out of rows·2C");
  }
  parallelRows(g.rows, c, [&](int64_t row) {
    gateBackwardRow(g.x + row * 2 * c, biasOf(g, row), dy + row * c, out + row * 2 * c, c);
  });
  return nullptr;
}

namespace {

// One Bernoulli log-likelihood term from a logit, x·l − softplus(l), as the unfused ops compute it:
// −((relu(l) − l·x) + log1p(exp(−|l|))), with the Exp and Log1p kernels' own functions, so that the two agree to the bit.
inline float bernoulliElement(float x, float l) {
  const float positive = l < 0.f ? 0.f : l;
  return -((positive - l * x) + log1pValue(expPoly(-std::fabs(l))));
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void bernoulliElements(const float* __restrict x, const float* __restrict l, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = bernoulliElement(x[i], l[i]);
}

/**
 * Σ of one row's terms, added in order from 0 as the Sum kernel adds them; fill(begin, size, terms) computes `size`
 * terms from `begin` on, a block at a time (vectorised), so that the sum's dependency chain is all that runs in order.
 */
template <typename Fill>
float sumInOrder(int64_t cols, Fill fill) {
  constexpr int64_t kBlock = 64;
  float terms[kBlock];
  float sum = 0.f;
  for (int64_t begin = 0; begin < cols; begin += kBlock) {
    const int64_t size = cols - begin < kBlock ? cols - begin : kBlock;
    fill(begin, size, terms);
    for (int64_t i = 0; i < size; i++) sum += terms[i];
  }
  return sum;
}

float bernoulliRow(const float* x, const float* l, int64_t cols) {
  return sumInOrder(cols, [&](int64_t begin, int64_t size, float* terms) { bernoulliElements(x + begin, l + begin, terms, size); });
}

/** out = dy · (x − sigmoid(l)) for one row (the Sigmoid kernel's function, then the Sub and Multiply kernels' order). */
__attribute__((target_clones("avx512f", "avx2", "default")))
void bernoulliGradRow(const float* __restrict x, const float* __restrict l, float dy, float* __restrict out,
                      int64_t cols) {
  for (int64_t i = 0; i < cols; i++) out[i] = dy * (x[i] - sigmoidValue(l[i]));
}

struct BernoulliArgs {
  const float* x;
  const float* logits;
  int64_t rows;
  int64_t cols;
};

/** Reads x and logits [rows, cols] (argv 0, 1) and the two sizes (argv at sizesAt), checking them. */
BernoulliArgs readBernoulli(napi_env env, napi_value* argv, int sizesAt, const char* name) {
  size_t xLength, logitsLength;
  BernoulliArgs args{};
  args.x = floatArray(env, argv[0], "x", &xLength);
  args.logits = floatArray(env, argv[1], "logits", &logitsLength);
  args.rows = intArg(env, argv[sizesAt], name);
  args.cols = intArg(env, argv[sizesAt + 1], name);
  if (args.rows < 0 || args.cols < 0 || static_cast<int64_t>(xLength) != args.rows * args.cols ||
      logitsLength != xLength) {
    throw NativeError(std::string(name) + ": expected x and logits of rows·cols values each");
  }
  return args;
}

}  // namespace

/**
 * bernoulli(x, logits, out, rows, cols): out [rows] = Σ_j x·l − softplus(l) over each row of x and logits [rows, cols]
 * (the log-likelihood of targets x under Bernoulli logits l, per example).
 */
napi_value Bernoulli(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "bernoulli");
  const BernoulliArgs b = readBernoulli(env, argv, 3, "bernoulli");
  size_t outLength;
  float* out = floatArray(env, argv[2], "out", &outLength);
  if (static_cast<int64_t>(outLength) != b.rows) throw NativeError("bernoulli: expected out of rows values");
  parallelRows(b.rows, b.cols, [&](int64_t row) {
    out[row] = bernoulliRow(b.x + row * b.cols, b.logits + row * b.cols, b.cols);
  });
  return nullptr;
}

/**
 * bernoulliGrad(x, logits, dy, out, rows, cols): out [rows, cols] = dy[row] · (x − sigmoid(l)), the gradient of
 * bernoulli w.r.t. the logits for dy [rows].
 */
napi_value BernoulliGrad(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  readArgs(env, info, argv, 6, "bernoulliGrad");
  const BernoulliArgs b = readBernoulli(env, argv, 4, "bernoulliGrad");
  size_t dyLength, outLength;
  const float* dy = floatArray(env, argv[2], "dy", &dyLength);
  float* out = floatArray(env, argv[3], "out", &outLength);
  if (static_cast<int64_t>(dyLength) != b.rows || static_cast<int64_t>(outLength) != b.rows * b.cols) {
    throw NativeError("bernoulliGrad: expected dy of rows values and out of rows·cols");
  }
  parallelRows(b.rows, b.cols, [&](int64_t row) {
    bernoulliGradRow(b.x + row * b.cols, b.logits + row * b.cols, dy[row], out + row * b.cols, b.cols);
  });
  return nullptr;
}

namespace {

/** Reads float arrays of one size from argv[first …] (names as given), checking that they match. */
template <int N>
void readSameSize(napi_env env, napi_value* argv, const char* const (&names)[N], float* (&arrays)[N], const char* fn,
                  size_t* size) {
  for (int i = 0; i < N; i++) {
    size_t length;
    arrays[i] = floatArray(env, argv[i], names[i], &length);
    if (i == 0) *size = length;
    if (length != *size) throw NativeError(std::string(fn) + ": expected " + names[0] + " and " + names[i] + " of one size");
  }
}

// The reparameterisation z = μ + exp(½·log σ²)·ε and its gradient, in the unfused ops' order: h = lv·½, e = exp(h),
// z = μ + e·ε; d log σ² = ((dz·ε)·e)·½ (the gradients of the product, the exp and the halving), dμ = dz.
__attribute__((target_clones("avx512f", "avx2", "default")))
void gaussianSampleLoop(const float* __restrict mean, const float* __restrict logVar, const float* __restrict eps,
                        float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = mean[i] + expPoly(logVar[i] * 0.5f) * eps[i];
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void gaussianSampleGradLoop(const float* __restrict dy, const float* __restrict logVar, const float* __restrict eps,
                            float* __restrict dMean, float* __restrict dLogVar, int64_t size) {
  for (int64_t i = 0; i < size; i++) {
    dMean[i] = dy[i];
    dLogVar[i] = dy[i] * eps[i] * expPoly(logVar[i] * 0.5f) * 0.5f;
  }
}

// KL(N(μ, σ²) ‖ N(0, 1)) per value as the unfused ops compute it, ½·((exp(lv) + μ²) − (lv + 1)), and its gradient:
// dμ = dy·μ, d lv = (dy·½)·(exp(lv) − 1), dy the example's.
__attribute__((target_clones("avx512f", "avx2", "default")))
void klElements(const float* __restrict mean, const float* __restrict logVar, float* __restrict out, int64_t size) {
  for (int64_t i = 0; i < size; i++) out[i] = ((expPoly(logVar[i]) + mean[i] * mean[i]) - (logVar[i] + 1.f)) * 0.5f;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void klGradRow(const float* __restrict mean, const float* __restrict logVar, float dy, float* __restrict dMean,
               float* __restrict dLogVar, int64_t cols) {
  const float half = dy * 0.5f;
  for (int64_t j = 0; j < cols; j++) {
    dMean[j] = dy * mean[j];
    dLogVar[j] = half * (expPoly(logVar[j]) - 1.f);
  }
}

/** Σ of one row of KL terms, added in order from 0 as the Sum kernel adds them. */
float klRow(const float* mean, const float* logVar, int64_t cols) {
  return sumInOrder(cols, [&](int64_t begin, int64_t size, float* terms) { klElements(mean + begin, logVar + begin, terms, size); });
}

void checkRows(int64_t rows, int64_t cols, size_t size, const char* fn) {
  if (rows < 0 || cols < 0 || static_cast<int64_t>(size) != rows * cols) {
    throw NativeError(std::string(fn) + ": expected mean and logVar of rows·cols values");
  }
}

}  // namespace

/** gaussianSample(mean, logVar, eps, out): out = mean + exp(logVar / 2)·eps, element-wise (one size). */
napi_value GaussianSample(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  readArgs(env, info, argv, 4, "gaussianSample");
  float* a[4];
  size_t size;
  readSameSize<4>(env, argv, {"mean", "logVar", "eps", "out"}, a, "gaussianSample", &size);
  parallelChunks(static_cast<int64_t>(size),
                 [&](int64_t begin, int64_t end) { gaussianSampleLoop(a[0] + begin, a[1] + begin, a[2] + begin, a[3] + begin, end - begin); });
  return nullptr;
}

/** gaussianSampleGrad(dy, logVar, eps, dMean, dLogVar): the gradient of gaussianSample for dy (one size each). */
napi_value GaussianSampleGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "gaussianSampleGrad");
  float* a[5];
  size_t size;
  readSameSize<5>(env, argv, {"dy", "logVar", "eps", "dMean", "dLogVar"}, a, "gaussianSampleGrad", &size);
  parallelChunks(static_cast<int64_t>(size), [&](int64_t begin, int64_t end) {
    gaussianSampleGradLoop(a[0] + begin, a[1] + begin, a[2] + begin, a[3] + begin, a[4] + begin, end - begin);
  });
  return nullptr;
}

/** gaussianKl(mean, logVar, out, rows, cols): out [rows] = Σ ½·(exp(lv) + μ² − lv − 1) over each row. */
napi_value GaussianKl(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  readArgs(env, info, argv, 5, "gaussianKl");
  float* a[2];
  size_t size, outLength;
  readSameSize<2>(env, argv, {"mean", "logVar"}, a, "gaussianKl", &size);
  float* out = floatArray(env, argv[2], "out", &outLength);
  const int64_t rows = intArg(env, argv[3], "gaussianKl"), cols = intArg(env, argv[4], "gaussianKl");
  checkRows(rows, cols, size, "gaussianKl");
  if (static_cast<int64_t>(outLength) != rows) throw NativeError("gaussianKl: expected out of rows values");
  parallelRows(rows, cols, [&](int64_t row) { out[row] = klRow(a[0] + row * cols, a[1] + row * cols, cols); });
  return nullptr;
}

/**
 * gaussianKlGrad(dy, mean, logVar, dMean, dLogVar, rows, cols): the gradient of gaussianKl for dy [rows]: dMean =
 * dy·μ, dLogVar = ½·dy·(exp(lv) − 1), each [rows, cols].
 */
napi_value GaussianKlGrad(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  readArgs(env, info, argv, 7, "gaussianKlGrad");
  size_t dyLength, size;
  const float* dy = floatArray(env, argv[0], "dy", &dyLength);
  float* a[4];
  readSameSize<4>(env, argv + 1, {"mean", "logVar", "dMean", "dLogVar"}, a, "gaussianKlGrad", &size);
  const int64_t rows = intArg(env, argv[5], "gaussianKlGrad"), cols = intArg(env, argv[6], "gaussianKlGrad");
  checkRows(rows, cols, size, "gaussianKlGrad");
  if (static_cast<int64_t>(dyLength) != rows) throw NativeError("gaussianKlGrad: expected dy of rows values");
  parallelRows(rows, cols, [&](int64_t row) {
    const int64_t at = row * cols;
    klGradRow(a[0] + at, a[1] + at, dy[row], a[2] + at, a[3] + at, cols);
  });
  return nullptr;
}

}  // namespace vaejs
