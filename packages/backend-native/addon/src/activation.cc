#include "activation.h"

#include <algorithm>

namespace vaejs {

template <int A>
static void apply(float* __restrict c, int64_t rows, int64_t n, const float* __restrict bias, int64_t biasLength,
                  float alpha) {
  for (int64_t r = 0; r < rows; r++) {
    float* row = c + r * n;
    for (int64_t j = 0; j < n; j++) {
      float v = row[j];
      if (biasLength == 1) v += bias[0];
      else if (biasLength > 0) v += bias[j];
      if (A == kRelu) v = v > 0.f ? v : 0.f;
      if (A == kRelu6) v = std::min(std::max(v, 0.f), 6.f);
      if (A == kElu) v = v >= 0.f ? v : std::expm1(v);
      if (A == kLeakyRelu) v = v >= 0.f ? v : alpha * v;
      if (A == kSigmoid) v = 1.f / (1.f + std::exp(-v));
      row[j] = v;
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void biasActivation(float* c, int64_t rows, int64_t n, const float* bias, int64_t biasLength, int activation,
                    float alpha) {
  if (biasLength == 0 && activation == kLinear) return;
  switch (activation) {
    case kRelu: return apply<kRelu>(c, rows, n, bias, biasLength, alpha);
    case kRelu6: return apply<kRelu6>(c, rows, n, bias, biasLength, alpha);
    case kElu: return apply<kElu>(c, rows, n, bias, biasLength, alpha);
    case kLeakyRelu: return apply<kLeakyRelu>(c, rows, n, bias, biasLength, alpha);
    case kSigmoid: return apply<kSigmoid>(c, rows, n, bias, biasLength, alpha);
    default: return apply<kLinear>(c, rows, n, bias, biasLength, alpha);
  }
}

}  // namespace vaejs
