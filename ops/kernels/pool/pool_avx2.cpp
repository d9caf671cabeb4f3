// Pooling, AVX2 (x86-64 only).
//
// 2-D pools (in_size[0] == out_size[0] == kernel[0] == 1) with dilation 1 and stride_w 1 or 2
// are vectorized along the output row (any stride_w with a window of 8+ columns is vectorized
// along the window instead, see below): for each output row the input rows inside the window
// are listed once; interior columns (every horizontal tap inside the row) take 8 outputs per
// step with no per-element checks (the last step overlaps the one before instead of leaving a
// scalar tail); only the padded border columns are computed one by one exactly like the ref.
// Anything else (3-D, dilation) runs the ref. The average sums taps in the ref's
// order (rows outer, columns inner) and divides, so it is bit-identical to the ref, except rows
// with fewer than 8 interior outputs and a window of at least 8 columns (PFLD's whole-plane
// average pools), which reduce 8 columns at a time along the window.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/pool/pool.h"

namespace facet::ops {
namespace {

// Stride 2 loads give their 8 taps in vshufps lane order [0 2 8 10 | 4 6 12 14]; this restores
// output order.
inline __m256 unshuffle(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

bool vector_ok(const PoolParams& p) {
  return p.in_size[0] == 1 && p.out_size[0] == 1 && p.kernel[0] == 1 && p.dilation[1] == 1 &&
         p.dilation[2] == 1;
}

// One output element of a 2-D pool, exactly as the ref computes it.
float max_one(const PoolParams& p, const float* in, int64_t oh, int64_t ow) {
  float m = -__builtin_huge_valf();
  for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
    const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh;
    if (ih < 0 || ih >= p.in_size[1]) continue;
    for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
      const int64_t iw = ow * p.stride[2] - p.pad_begin[2] + kw;
      if (iw < 0 || iw >= p.in_size[2]) continue;
      const float v = in[ih * p.in_size[2] + iw];
      if (v > m || v != v) m = v;
    }
  }
  return m;
}

float avg_one(const PoolParams& p, const float* in, int64_t oh, int64_t ow) {
  float sum = 0.f;
  int64_t inside = 0, padded = 0;
  for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
    const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh;
    if (ih >= p.in_size[1] + p.pad_end[1]) continue;
    const bool h_in = ih >= 0 && ih < p.in_size[1];
    for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
      const int64_t iw = ow * p.stride[2] - p.pad_begin[2] + kw;
      if (iw >= p.in_size[2] + p.pad_end[2]) continue;
      ++padded;
      if (h_in && iw >= 0 && iw < p.in_size[2]) {
        sum += in[ih * p.in_size[2] + iw];
        ++inside;
      }
    }
  }
  const int64_t divisor = p.count_include_pad ? padded : inside;
  return divisor > 0 ? sum / static_cast<float>(divisor) : 0.f;
}

// 8 outputs of a stride-1 (kS == 1) or stride-2 row at output column ow, every tap inside the
// input. Stride 2 loads tap 0 as the even elements of s[0..16) and tap k >= 1 as the odd
// elements of s[k-1 .. k+15), so no load reaches past the last tap of the 8th window.
template <bool kMax, int kS>
__m256 window8(const float* in, int64_t in_w, int64_t first, int64_t nrows, int64_t kw_n,
               int64_t s0, __m256 vdiv) {
  __m256 acc = kMax ? _mm256_set1_ps(-__builtin_huge_valf()) : _mm256_setzero_ps();
  __m256 nan = _mm256_setzero_ps();
  for (int64_t r = 0; r < nrows; ++r) {
    const float* s = in + (first + r) * in_w + s0;
    for (int64_t kw = 0; kw < kw_n; ++kw) {
      __m256 v;
      if (kS == 1) {
        v = _mm256_loadu_ps(s + kw);
      } else if (kw == 0) {
        v = _mm256_shuffle_ps(_mm256_loadu_ps(s), _mm256_loadu_ps(s + 8), _MM_SHUFFLE(2, 0, 2, 0));
      } else {
        v = _mm256_shuffle_ps(_mm256_loadu_ps(s + kw - 1), _mm256_loadu_ps(s + kw + 7),
                              _MM_SHUFFLE(3, 1, 3, 1));
      }
      if (kMax) {
        acc = _mm256_max_ps(acc, v);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      } else {
        acc = _mm256_add_ps(acc, v);
      }
    }
  }
  if (kMax) {
    acc = _mm256_or_ps(acc, nan);  // NaN lanes become NaN
  } else {
    acc = _mm256_div_ps(acc, vdiv);
  }
  return kS == 1 ? acc : unshuffle(acc);
}

// max(a, b) per lane, NaN (all bits set) where either is NaN.
inline __m256 max_nan(__m256 a, __m256 b) {
  return _mm256_or_ps(_mm256_max_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
}

// 8 outputs of a 2x2 stride-2 max whose two rows r0, r1 (16 floats each from the first
// window) lie inside the input: the rows' maxima first, then the even / odd columns' (4 loads,
// 3 max, 2 shuffles, where window8 takes 8, 4 and 4). A NaN anywhere in a window makes that
// output NaN, as in window8.
inline __m256 max2x2_8(const float* r0, const float* r1) {
  const __m256 v0 = max_nan(_mm256_loadu_ps(r0), _mm256_loadu_ps(r1));
  const __m256 v1 = max_nan(_mm256_loadu_ps(r0 + 8), _mm256_loadu_ps(r1 + 8));
  const __m256 e = _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 o = _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(3, 1, 3, 1));
  return unshuffle(max_nan(e, o));
}

alignas(32) const int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                           0,  0,  0,  0,  0,  0,  0,  0};

// One output whose window (kw_n >= 8 columns from s0, rows first .. first + nrows) lies inside
// the input, reduced 8 columns at a time (the PFLD-style whole-plane average). The average sums
// in a different order than the ref.
template <bool kMax>
float window_wide(const float* in, int64_t in_w, int64_t first, int64_t nrows, int64_t kw_n,
                  int64_t s0, float div) {
  const __m256 neg_inf = _mm256_set1_ps(-__builtin_huge_valf());
  __m256 acc = kMax ? neg_inf : _mm256_setzero_ps();
  __m256 nan = _mm256_setzero_ps();
  const int64_t rem = kw_n % 8;
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - rem));
  for (int64_t r = 0; r < nrows; ++r) {
    const float* s = in + (first + r) * in_w + s0;
    int64_t k = 0;
    for (; k + 8 <= kw_n; k += 8) {
      const __m256 v = _mm256_loadu_ps(s + k);
      if (kMax) {
        acc = _mm256_max_ps(acc, v);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      } else {
        acc = _mm256_add_ps(acc, v);
      }
    }
    if (rem != 0) {
      __m256 v = _mm256_maskload_ps(s + k, mask);  // masked lanes read as 0
      if (kMax) {
        v = _mm256_blendv_ps(neg_inf, v, _mm256_castsi256_ps(mask));
        acc = _mm256_max_ps(acc, v);
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      } else {
        acc = _mm256_add_ps(acc, v);
      }
    }
  }
  __m128 h = kMax ? _mm_max_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1))
                  : _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  h = kMax ? _mm_max_ps(h, _mm_movehl_ps(h, h)) : _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = kMax ? _mm_max_ss(h, _mm_shuffle_ps(h, h, 1)) : _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
  if (kMax) return _mm256_movemask_ps(nan) != 0 ? __builtin_nanf("") : _mm_cvtss_f32(h);
  return _mm_cvtss_f32(h) / div;
}

template <bool kMax>
void pool2d(const PoolParams& p, const float* input, float* output, int64_t begin, int64_t end) {
  const int64_t in_h = p.in_size[1], in_w = p.in_size[2];
  const int64_t out_h = p.out_size[1], out_w = p.out_size[2];
  const int64_t kh_n = p.kernel[1], kw_n = p.kernel[2];
  const int64_t sw = p.stride[2], pl = p.pad_begin[2];
  // Interior columns [x0, x1): ow*sw - pl >= 0 and ow*sw - pl + kw_n - 1 <= in_w - 1.
  int64_t x0 = (pl + sw - 1) / sw;
  int64_t x1 = in_w - kw_n + pl >= 0 ? (in_w - kw_n + pl) / sw + 1 : 0;
  if (x1 > out_w) x1 = out_w;
  if (sw == 2 && kw_n == 1) {
    // The even load of tap 0 reads one element past a 1-wide window: keep it inside the row.
    const int64_t last_start = in_w + pl - 16 >= 0 ? (in_w + pl - 16) / 2 : -1;
    if (last_start + 8 < x1) x1 = last_start + 8;
  }
  if (x0 > x1) x0 = x1;
  const bool vec = (sw == 1 || sw == 2) && x1 - x0 >= 8;
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * in_h * in_w;
    float* out = output + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      float* orow = out + oh * out_w;
      // Rows inside the input, and the average's divisor for interior columns.
      int64_t first = -1, nrows = 0, padded_rows = 0;
      for (int64_t kh = 0; kh < kh_n; ++kh) {
        const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh;
        if (ih < in_h + p.pad_end[1]) ++padded_rows;
        if (ih < 0 || ih >= in_h) continue;
        if (first < 0) first = ih;
        ++nrows;
      }
      if (nrows == 0) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          orow[ow] = kMax ? max_one(p, in, oh, ow) : avg_one(p, in, oh, ow);
        }
        continue;
      }
      if (!vec) {
        const int64_t div = (p.count_include_pad ? padded_rows : nrows) * kw_n;
        for (int64_t ow = 0; ow < out_w; ++ow) {
          if (kw_n >= 8 && ow >= x0 && ow < x1) {
            orow[ow] = window_wide<kMax>(in, in_w, first, nrows, kw_n, ow * sw - pl,
                                         static_cast<float>(div));
          } else {
            orow[ow] = kMax ? max_one(p, in, oh, ow) : avg_one(p, in, oh, ow);
          }
        }
        continue;
      }
      for (int64_t ow = 0; ow < x0; ++ow) {
        orow[ow] = kMax ? max_one(p, in, oh, ow) : avg_one(p, in, oh, ow);
      }
      const int64_t div = (p.count_include_pad ? padded_rows : nrows) * kw_n;
      const __m256 vdiv = _mm256_set1_ps(static_cast<float>(div));
      // Interior in steps of 8; the last step is moved back to end at x1 (it recomputes a few
      // outputs with the same result), so no interior column is left to the scalar path.
      const bool max2x2 = kMax && sw == 2 && kw_n == 2 && nrows == 2;
      for (int64_t ow = x0; ow < x1; ow += 8) {
        if (ow + 8 > x1) ow = x1 - 8;
        __m256 v;
        if (max2x2) {
          const float* r0 = in + first * in_w + 2 * ow - pl;
          v = max2x2_8(r0, r0 + in_w);
        } else if (sw == 1) {
          v = window8<kMax, 1>(in, in_w, first, nrows, kw_n, ow - pl, vdiv);
        } else {
          v = window8<kMax, 2>(in, in_w, first, nrows, kw_n, 2 * ow - pl, vdiv);
        }
        _mm256_storeu_ps(orow + ow, v);
      }
      for (int64_t ow = x1; ow < out_w; ++ow) {
        orow[ow] = kMax ? max_one(p, in, oh, ow) : avg_one(p, in, oh, ow);
      }
    }
  }
}

}  // namespace

void maxpool_f32_avx2(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end) {
  if (!vector_ok(p)) return maxpool_f32_ref(p, input, output, begin, end);
  pool2d<true>(p, input, output, begin, end);
}

void avgpool_f32_avx2(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end) {
  if (!vector_ok(p)) return avgpool_f32_ref(p, input, output, begin, end);
  pool2d<false>(p, input, output, begin, end);
}

void global_avgpool_f32_avx2(const float* input, float* output, int64_t plane_size,
                             int64_t begin, int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * plane_size;
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= plane_size; i += 8) {
      const __m256 v = _mm256_loadu_ps(in + i);
      s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
      s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    }
    s0 = _mm256_add_pd(s0, s1);
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s0), _mm256_extractf128_pd(s0, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (; i < plane_size; ++i) sum += in[i];
    output[plane] = plane_size > 0 ? static_cast<float>(sum / static_cast<double>(plane_size)) : 0.f;
  }
}

}  // namespace facet::ops
