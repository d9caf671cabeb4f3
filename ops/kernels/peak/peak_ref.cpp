// FMA-throughput probe, plain C++ (multiply + add; baseline flags have no fused multiply-add).
#include "ops/kernels/peak/peak.h"

namespace facet::ops {

int64_t fma_peak_loop_ref(int64_t iters, float* sink) {
  constexpr int kChains = 8;
  float acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = 1.0f + 0.01f * static_cast<float>(j);
  // x = x * b + c converges towards c / (1 - b) = 1: values stay normal, no overflow.
  const float b = 0.9999999f, c = 1e-7f;
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) acc[j] = acc[j] * b + c;
  }
  float s = 0.f;
  for (int j = 0; j < kChains; ++j) s += acc[j];
  *sink = s;
  return iters * kChains * 2;
}

}  // namespace facet::ops
