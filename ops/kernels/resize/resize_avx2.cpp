// Resize 2-D fast paths, AVX2+FMA (x86-64 only).
//
// Nearest 2x: each 8 input floats become 16 output floats by duplicating lanes (unpack + lane
// permute), stored to both output rows.
// Bilinear: separable. The horizontal pass (scalar table lookups: 8-wide gathers measured 1.4x
// slower than scalar on Zen3) runs once per needed input row into `rowbuf`, which caches two
// rows, so an upsampling by k does 1/k of its horizontal work per output row; the vertical
// blend is 8/32-wide FMA with a masked tail.
// General nearest: scalar lookups per row; a repeated source row is a memcpy of the output row
// above.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ops/kernels/eltwise/vecmath_avx2.h"
#include "ops/kernels/resize/resize.h"

namespace facet::kernels {
namespace {

alignas(32) const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                           0,  0,  0,  0,  0,  0,  0,  0};

void hrow(const float* row, float* dst, int64_t out_w, const int64_t* xo, const float* xw) {
  for (int64_t x = 0; x < out_w; ++x) {
    dst[x] = xw[2 * x] * row[xo[2 * x]] + xw[2 * x + 1] * row[xo[2 * x + 1]];
  }
}

// dst = w0 * a + w1 * b over n elements.
void vblend(const float* a, const float* b, float* dst, int64_t n, float w0, float w1) {
  const __m256 v0 = _mm256_set1_ps(w0), v1 = _mm256_set1_ps(w1);
  int64_t x = 0;
  for (; x + 32 <= n; x += 32) {
    for (int k = 0; k < 32; k += 8) {
      _mm256_storeu_ps(dst + x + k, _mm256_fmadd_ps(_mm256_loadu_ps(b + x + k), v1,
                                                    _mm256_mul_ps(_mm256_loadu_ps(a + x + k), v0)));
    }
  }
  for (; x + 8 <= n; x += 8) {
    _mm256_storeu_ps(dst + x, _mm256_fmadd_ps(_mm256_loadu_ps(b + x), v1,
                                              _mm256_mul_ps(_mm256_loadu_ps(a + x), v0)));
  }
  if (x < n) {
    const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - (n - x)));
    ops::vec_avx2::store_first_n(dst + x, _mm256_fmadd_ps(_mm256_maskload_ps(b + x, m), v1,
                                                     _mm256_mul_ps(_mm256_maskload_ps(a + x, m), v0)),
                            n - x);
  }
}

}  // namespace

void resize_bilinear_2d_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                 int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                 const float* y_weight, const int64_t* x_offset,
                                 const float* x_weight, float* rowbuf, int64_t plane_begin,
                                 int64_t plane_end) {
  float* buf[2] = {rowbuf, rowbuf + out_w};
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * out_h * out_w;
    int64_t tag[2] = {-1, -1};  // source row offset held by each buffer
    // The buffer holding row r, filling one that does not hold `keep` if needed.
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

void resize_nearest_2d_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
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
void resize_nearest_2x_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
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
      for (; x + 8 <= in_w; x += 8) {
        const __m256 v = _mm256_loadu_ps(in_row + x);
        const __m256 lo = _mm256_unpacklo_ps(v, v);  // a0 a0 a1 a1 | a4 a4 a5 a5
        const __m256 hi = _mm256_unpackhi_ps(v, v);  // a2 a2 a3 a3 | a6 a6 a7 a7
        const __m256 o0 = _mm256_permute2f128_ps(lo, hi, 0x20);
        const __m256 o1 = _mm256_permute2f128_ps(lo, hi, 0x31);
        _mm256_storeu_ps(r0 + 2 * x, o0);
        _mm256_storeu_ps(r0 + 2 * x + 8, o1);
        _mm256_storeu_ps(r1 + 2 * x, o0);
        _mm256_storeu_ps(r1 + 2 * x + 8, o1);
      }
      for (; x < in_w; ++x) {
        const float v = in_row[x];
        r0[2 * x] = r0[2 * x + 1] = r1[2 * x] = r1[2 * x + 1] = v;
      }
    }
  }
}

}  // namespace facet::kernels
