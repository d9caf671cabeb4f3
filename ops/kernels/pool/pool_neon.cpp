// Pooling, NEON (aarch64 only): global average pool, 4-wide, accumulated in double.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/pool/pool.h"

namespace facet::ops {

void global_avgpool_f32_neon(const float* input, float* output, int64_t plane_size,
                             int64_t begin, int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * plane_size;
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = vdupq_n_f64(0.0);
    int64_t i = 0;
    for (; i + 4 <= plane_size; i += 4) {
      const float32x4_t v = vld1q_f32(in + i);
      s0 = vaddq_f64(s0, vcvt_f64_f32(vget_low_f32(v)));
      s1 = vaddq_f64(s1, vcvt_high_f64_f32(v));
    }
    double sum = vaddvq_f64(vaddq_f64(s0, s1));
    for (; i < plane_size; ++i) sum += in[i];
    output[plane] = plane_size > 0 ? static_cast<float>(sum / static_cast<double>(plane_size)) : 0.f;
  }
}

}  // namespace facet::ops
