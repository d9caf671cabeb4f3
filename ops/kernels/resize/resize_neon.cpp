// Resize 2-D fast paths, NEON (aarch64 only): exact 2x nearest upsampling with vzip.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/resize/resize.h"

namespace facet::kernels {

void resize_nearest_2x_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t plane_begin, int64_t plane_end) {
  const int64_t out_w = 2 * in_w;
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * 4 * in_h * in_w;
    for (int64_t y = 0; y < in_h; ++y) {
      const float* in_row = in + y * in_w;
      float* r0 = out + 2 * y * out_w;
      float* r1 = r0 + out_w;
      int64_t x = 0;
      for (; x + 4 <= in_w; x += 4) {
        const float32x4_t v = vld1q_f32(in_row + x);
        const float32x4x2_t d = vzipq_f32(v, v);  // a0 a0 a1 a1, a2 a2 a3 a3
        vst1q_f32(r0 + 2 * x, d.val[0]);
        vst1q_f32(r0 + 2 * x + 4, d.val[1]);
        vst1q_f32(r1 + 2 * x, d.val[0]);
        vst1q_f32(r1 + 2 * x + 4, d.val[1]);
      }
      for (; x < in_w; ++x) {
        const float v = in_row[x];
        r0[2 * x] = r0[2 * x + 1] = r1[2 * x] = r1[2 * x + 1] = v;
      }
    }
  }
}

}  // namespace facet::kernels
