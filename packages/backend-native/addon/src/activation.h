// The activations of tfjs' fused kernels (_FusedMatMul, FusedConv2D), applied in place after the product.
#pragma once
#include <cmath>
#include <cstdint>

namespace vaejs {

/** Codes shared with the TypeScript side (packages/backend/src/kernels/utils/native-addon.ts). */
enum Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5 };

/** Adds `bias` (length `n`, or 1 for a scalar, or none) to each of `rows` rows of `c` and applies the activation. */
void biasActivation(float* c, int64_t rows, int64_t n, const float* bias, int64_t biasLength, int activation,
                    float alpha);

}  // namespace vaejs
