// Batched sgemm with tfjs' BatchMatMul / _FusedMatMul semantics, on oneDNN's dnnl_sgemm (row-major, JIT kernels for
// the CPU it runs on), then bias and activation in one pass over the output while it is still in cache.
#include <oneapi/dnnl/dnnl.h>

#include "activation.h"
#include "kernels.h"
#include "napi-util.h"

namespace vaejs {

/**
 * matMul(a, b, out, bias | null, batch, m, n, k, transposeA, transposeB, batchA, batchB, activation, alpha):
 * out[i] = act(op(a[i or 0]) · op(b[i or 0]) + bias) for i < batch, where op(a) is [m, k] and op(b) is [k, n];
 * a holds batchA matrices and b batchB (each 1 or batch: tfjs broadcasts the batch).
 */
napi_value MatMul(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  readArgs(env, info, argv, 14, "matMul");
  size_t aLength, bLength, outLength, biasLength;
  const float* a = floatArray(env, argv[0], "a", &aLength);
  const float* b = floatArray(env, argv[1], "b", &bLength);
  float* out = floatArray(env, argv[2], "out", &outLength);
  const float* bias = floatArray(env, argv[3], "bias", &biasLength, true);
  const int64_t batch = intArg(env, argv[4], "batch"), m = intArg(env, argv[5], "m"), n = intArg(env, argv[6], "n"),
                k = intArg(env, argv[7], "k");
  bool transposeA, transposeB;
  check(env, napi_get_value_bool(env, argv[8], &transposeA), "transposeA");
  check(env, napi_get_value_bool(env, argv[9], &transposeB), "transposeB");
  const int64_t batchA = intArg(env, argv[10], "batchA"), batchB = intArg(env, argv[11], "batchB");
  const int activation = static_cast<int>(intArg(env, argv[12], "activation"));
  const float alpha = static_cast<float>(numberArg(env, argv[13], "alpha"));
  if (static_cast<int64_t>(aLength) < batchA * m * k || static_cast<int64_t>(bLength) < batchB * k * n ||
      static_cast<int64_t>(outLength) < batch * m * n) {
    throw NativeError("matMul: expected buffers of the sizes given by batch, m, n and k");
  }
  const char ta = transposeA ? 'T' : 'N', tb = transposeB ? 'T' : 'N';
  const SignalsDeferred deferred;
  const int64_t lda = transposeA ? m : k, ldb = transposeB ? k : n;
  if (batchB == 1 && !transposeA) {
    // Every a[i] times the same b: one product with batch·m rows (the rows of a and out are contiguous).
    const dnnl_status_t status = dnnl_sgemm(ta, tb, batch * m, n, k, 1.f, a, lda, b, ldb, 0.f, out, n);
    if (status != dnnl_success) throw NativeError("matMul: dnnl_sgemm failed");
  } else {
    for (int64_t i = 0; i < batch; i++) {
      const float* ai = a + (batchA == 1 ? 0 : i) * m * k;
      const float* bi = b + (batchB == 1 ? 0 : i) * k * n;
      const dnnl_status_t status = dnnl_sgemm(ta, tb, m, n, k, 1.f, ai, lda, bi, ldb, 0.f, out + i * m * n, n);
      if (status != dnnl_success) throw NativeError("matMul: dnnl_sgemm failed");
    }
  }
  biasActivation(out, batch * m, n, bias, static_cast<int64_t>(biasLength), activation, alpha);
  return nullptr;
}

}  // namespace vaejs
