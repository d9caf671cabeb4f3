// Resize 2-D fast paths, NEON (aarch64 only): exact 2x nearest upsampling with vzip; bilinear
// as a separable pass (horizontal once per needed input row into the cached `rowbuf` rows,
// vertical blend 4/16-wide with FMA); general nearest with a memcpy for repeated source rows.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ops/kernels/resize/resize.h"

namespace facet::kernels {
namespace {

void hrow(const float* row, float* dst, int64_t out_w, const int64_t* xo, const float* xw) {
  for (int64_t x = 0; x < out_w; ++x) {
    dst[x] = xw[2 * x] * row[xo[2 * x]] + xw[2 * x + 1] * row[xo[2 * x + 1]];
  }
}

void vblend(const float* a, const float* b, float* dst, int64_t n, float w0, float w1) {
  const float32x4_t v0 = vdupq_n_f32(w0), v1 = vdupq_n_f32(w1);
  int64_t x = 0;
  for (; x + 16 <= n; x += 16) {
    for (int k = 0; k < 16; k += 4) {
      vst1q_f32(dst + x + k,
                vfmaq_f32(vmulq_f32(vld1q_f32(a + x + k), v0), vld1q_f32(b + x + k), v1));
    }
  }
  for (; x + 4 <= n; x += 4) {
    vst1q_f32(dst + x, vfmaq_f32(vmulq_f32(vld1q_f32(a + x), v0), vld1q_f32(b + x), v1));
  }
  for (; x < n; ++x) dst[x] = w0 * a[x] + w1 * b[x];
}

}  // namespace

void resize_bilinear_2d_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                 int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                 const float* y_weight, const int64_t* x_offset,
                                 const float* x_weight, float* rowbuf, int64_t plane_begin,
                                 int64_t plane_end) {
  float* buf[2] = {rowbuf, rowbuf + out_w};
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * out_h * out_w;
    int64_t tag[2] = {-1, -1};
    auto fetch = [&](int64_t r, int64_t keep) -> const float* {
      if (tag[0] == r) return buf[0];
      if (tag[1] == r) return buf[1];
      const int s = tag[0] == keep ? 1 : 0;
      hrow(in + r, buf[s], out_w, x_offset, x_weight);
      tag[s] = r;
      return buf[s];
    };
    for (int64_t y = 0; y < out_h; ++y) {
      const int64_t r0 = y_offset[2 * y], r1 = y_offset[2 * y + 1];
      const float* h0 = fetch(r0, r1);
      const float* h1 = fetch(r1, r0);
      vblend(h0, h1, out + y * out_w, out_w, y_weight[2 * y], y_weight[2 * y + 1]);
    }
  }
}

void resize_nearest_2d_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                const int64_t* x_offset, int64_t plane_begin, int64_t plane_end) {
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * out_h * out_w;
    for (int64_t y = 0; y < out_h; ++y) {
      float* out_row = out + y * out_w;
      if (y > 0 && y_offset[y] == y_offset[y - 1]) {
        std::memcpy(out_row, out_row - out_w, static_cast<size_t>(out_w) * sizeof(float));
        continue;
      }
      const float* in_row = in + y_offset[y];
      for (int64_t x = 0; x < out_w; ++x) out_row[x] = in_row[x_offset[x]];
    }
  }
}

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
