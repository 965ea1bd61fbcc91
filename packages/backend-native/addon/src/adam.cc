// Adam's update of one variable in one pass over its buffers: value, m, v and the gradient are read once, m and v
// written in place and the new value written once (into a new buffer: tfjs-backend-wasm caches XNNPACK's packed
// weights by tensor, so a variable's buffer must not change under the same id), instead of tfjs' ~14 element-wise
// kernels each writing a new buffer. Each operation is
// the float32 operation tfjs' AdamOptimizer.applyGradients performs, in the same order (no fused multiply-add: the
// build passes -ffp-contract=off), so the results are those of the stock optimizer to the bit.
#include <cmath>
#include <cstdint>

#include "kernels.h"
#include "napi-util.h"
#include "parallel.h"

namespace vaejs {

__attribute__((target_clones("avx512f", "avx2", "default")))
static void adamUpdate(const float* value, float* __restrict m, float* __restrict v,
                       const float* __restrict gradient, float* newValue, int64_t size, float beta1, float oneMinusBeta1, float beta2,
                       float oneMinusBeta2, float oneMinusAccBeta1, float oneMinusAccBeta2, float epsilon,
                       float negativeLearningRate) {
  for (int64_t i = 0; i < size; i++) {
    const float g = gradient[i];
    // newFirstMoment = add(mul(m, β1), mul(g, 1 − β1)); newSecondMoment = add(mul(v, β2), mul(square(g), 1 − β2))
    const float m1 = m[i] * beta1 + g * oneMinusBeta1;
    const float gg = g * g;
    const float v1 = v[i] * beta2 + gg * oneMinusBeta2;
    // biasCorrected = newMoment / (1 − accβ); newValue = add(mul(div(m̂, add(sqrt(v̂), ε)), −lr), value)
    const float mHat = m1 / oneMinusAccBeta1;
    const float vHat = v1 / oneMinusAccBeta2;
    const float step = mHat / (std::sqrt(vHat) + epsilon);
    newValue[i] = step * negativeLearningRate + value[i];
    m[i] = m1;
    v[i] = v1;
  }
}

/**
 * adam(value, m, v, gradient, newValue, beta1, beta2, accBeta1, accBeta2, epsilon, learningRate): one Adam step of a
 * variable: m and v in place, the result in newValue (which may be value itself). The numbers are JS numbers converted as tfjs converts them (scalars become float32; 1 − β is computed in
 * double, then rounded).
 */
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  readArgs(env, info, argv, 11, "adam");
  size_t valueLength, mLength, vLength, gradientLength, newValueLength;
  const float* value = floatArray(env, argv[0], "value", &valueLength);
  float* m = floatArray(env, argv[1], "m", &mLength);
  float* v = floatArray(env, argv[2], "v", &vLength);
  const float* gradient = floatArray(env, argv[3], "gradient", &gradientLength);
  float* newValue = floatArray(env, argv[4], "newValue", &newValueLength);
  if (mLength != valueLength || vLength != valueLength || gradientLength != valueLength ||
      newValueLength != valueLength) {
    throw NativeError("adam: expected value, m, v, gradient and newValue of one size");
  }
  const double beta1 = numberArg(env, argv[5], "beta1"), beta2 = numberArg(env, argv[6], "beta2");
  const float accBeta1 = static_cast<float>(numberArg(env, argv[7], "accBeta1"));
  const float accBeta2 = static_cast<float>(numberArg(env, argv[8], "accBeta2"));
  const double epsilon = numberArg(env, argv[9], "epsilon"), learningRate = numberArg(env, argv[10], "learningRate");
  // sub(1, accBeta): a float32 subtraction of float32 operands.
  const float oneMinusAccBeta1 = 1.f - accBeta1, oneMinusAccBeta2 = 1.f - accBeta2;
  parallelChunks(static_cast<int64_t>(valueLength), [&](int64_t begin, int64_t end) {
    adamUpdate(value + begin, m + begin, v + begin, gradient + begin, newValue + begin, end - begin,
               static_cast<float>(beta1), static_cast<float>(1 - beta1), static_cast<float>(beta2),
               static_cast<float>(1 - beta2), oneMinusAccBeta1, oneMinusAccBeta2, static_cast<float>(epsilon),
               static_cast<float>(-learningRate));
  });
  return nullptr;
}

}  // namespace vaejs
