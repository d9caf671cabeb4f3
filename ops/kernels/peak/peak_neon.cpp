// FMA-throughput probe, NEON: 16 independent 4-wide FMA chains (of 32 q registers).
#include <arm_neon.h>

#include "ops/kernels/peak/peak.h"

namespace facet::ops {

int64_t fma_peak_loop_neon(int64_t iters, float* sink) {
  constexpr int kChains = 16;
  const float32x4_t b = vdupq_n_f32(0.9999999f);
  const float32x4_t c = vdupq_n_f32(1e-7f);
  float32x4_t a[kChains];
  for (int j = 0; j < kChains; ++j) a[j] = vdupq_n_f32(1.0f + 0.01f * static_cast<float>(j));
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < kChains; ++j) a[j] = vfmaq_f32(c, a[j], b);  // c + a * b
  }
  float32x4_t s = a[0];
  for (int j = 1; j < kChains; ++j) s = vaddq_f32(s, a[j]);
  *sink = vaddvq_f32(s);
  return iters * kChains * 4 * 2;
}

}  // namespace facet::ops
