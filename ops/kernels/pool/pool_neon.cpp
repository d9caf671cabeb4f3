// Pooling, NEON (aarch64 only).
//
// Max/average: the AVX2 scheme with 4 lanes. 2-D pools with dilation 1 and stride_w 1 or 2 take
// 4 outputs per step over the interior columns (every horizontal tap inside the row; the last
// step overlaps the previous one instead of leaving a tail); the padded border columns are
// computed one by one exactly like the ref. Stride 2 deinterleaves with vld2q: tap 0 is the even
// half of s[0..8), tap k >= 1 the odd half of s[k-1 .. k+7), so no load passes the last tap.
// vmaxq_f32 propagates NaN. The average sums in the ref's order and divides, so both are
// bit-identical to the ref, except rows with fewer than 4 interior outputs or stride_w > 2 and a
// window of at least 4 columns (global-style pools), which reduce along the window instead. Anything else (3-D, dilation) runs the ref.
// Global average: 4-wide, accumulated in double.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/pool/pool.h"

namespace facet::ops {
namespace {

bool vector_ok(const PoolParams& p) {
  return p.in_size[0] == 1 && p.out_size[0] == 1 && p.kernel[0] == 1 && p.dilation[1] == 1 &&
         p.dilation[2] == 1;
}

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

template <bool kMax, int kS>
float32x4_t window4(const float* in, int64_t in_w, int64_t first, int64_t nrows, int64_t kw_n,
                    int64_t s0, float32x4_t vdiv) {
  float32x4_t acc = kMax ? vdupq_n_f32(-__builtin_huge_valf()) : vdupq_n_f32(0.f);
  for (int64_t r = 0; r < nrows; ++r) {
    const float* s = in + (first + r) * in_w + s0;
    for (int64_t kw = 0; kw < kw_n; ++kw) {
      float32x4_t v;
      if (kS == 1) {
        v = vld1q_f32(s + kw);
      } else if (kw == 0) {
        v = vld2q_f32(s).val[0];
      } else {
        v = vld2q_f32(s + kw - 1).val[1];
      }
      acc = kMax ? vmaxq_f32(acc, v) : vaddq_f32(acc, v);
    }
  }
  return kMax ? acc : vdivq_f32(acc, vdiv);
}

// One output whose window (kw_n >= 4 columns from s0, rows first .. first + nrows) lies inside
// the input, reduced 4 columns at a time. The average sums in a different order than the ref.
template <bool kMax>
float window_wide(const float* in, int64_t in_w, int64_t first, int64_t nrows, int64_t kw_n,
                  int64_t s0, float div) {
  float32x4_t acc = kMax ? vdupq_n_f32(-__builtin_huge_valf()) : vdupq_n_f32(0.f);
  float tail = kMax ? -__builtin_huge_valf() : 0.f;
  for (int64_t r = 0; r < nrows; ++r) {
    const float* s = in + (first + r) * in_w + s0;
    int64_t k = 0;
    for (; k + 4 <= kw_n; k += 4) {
      const float32x4_t v = vld1q_f32(s + k);
      acc = kMax ? vmaxq_f32(acc, v) : vaddq_f32(acc, v);
    }
    for (; k < kw_n; ++k) {
      const float v = s[k];
      if (kMax) {
        if (v > tail || v != v) tail = v;
      } else {
        tail += v;
      }
    }
  }
  if (kMax) {
    const float m = vmaxvq_f32(acc);  // NaN if any lane is NaN
    return (m > tail || m != m) ? m : tail;
  }
  return (vaddvq_f32(acc) + tail) / div;
}

template <bool kMax>
void pool2d(const PoolParams& p, const float* input, float* output, int64_t begin, int64_t end) {
  const int64_t in_h = p.in_size[1], in_w = p.in_size[2];
  const int64_t out_h = p.out_size[1], out_w = p.out_size[2];
  const int64_t kh_n = p.kernel[1], kw_n = p.kernel[2];
  const int64_t sw = p.stride[2], pl = p.pad_begin[2];
  int64_t x0 = (pl + sw - 1) / sw;
  int64_t x1 = in_w - kw_n + pl >= 0 ? (in_w - kw_n + pl) / sw + 1 : 0;
  if (x1 > out_w) x1 = out_w;
  if (sw == 2 && kw_n == 1) {
    // vld2q of tap 0 reads one element past a 1-wide window: keep it inside the row.
    const int64_t last_start = in_w + pl - 8 >= 0 ? (in_w + pl - 8) / 2 : -1;
    if (last_start + 4 < x1) x1 = last_start + 4;
  }
  if (x0 > x1) x0 = x1;
  const bool vec = (sw == 1 || sw == 2) && x1 - x0 >= 4;
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * in_h * in_w;
    float* out = output + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      float* orow = out + oh * out_w;
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
          if (kw_n >= 4 && ow >= x0 && ow < x1) {
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
      const float32x4_t vdiv = vdupq_n_f32(static_cast<float>(div));
      for (int64_t ow = x0; ow < x1; ow += 4) {
        if (ow + 4 > x1) ow = x1 - 4;
        const float32x4_t v =
            sw == 1 ? window4<kMax, 1>(in, in_w, first, nrows, kw_n, ow - pl, vdiv)
                    : window4<kMax, 2>(in, in_w, first, nrows, kw_n, 2 * ow - pl, vdiv);
        vst1q_f32(orow + ow, v);
      }
      for (int64_t ow = x1; ow < out_w; ++ow) {
        orow[ow] = kMax ? max_one(p, in, oh, ow) : avg_one(p, in, oh, ow);
      }
    }
  }
}

}  // namespace

void maxpool_f32_neon(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end) {
  if (!vector_ok(p)) return maxpool_f32_ref(p, input, output, begin, end);
  pool2d<true>(p, input, output, begin, end);
}

void avgpool_f32_neon(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end) {
  if (!vector_ok(p)) return avgpool_f32_ref(p, input, output, begin, end);
  pool2d<false>(p, input, output, begin, end);
}

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
