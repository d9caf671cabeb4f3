// Depthwise convolution, AVX2+FMA. Compiled with -mavx2 -mfma on x86-64 only.
//
// 3x3 fast paths: one output row at a time. For each output row the valid input rows (1..3 of
// them, fewer at the top/bottom padding) are gathered once; the row kernel is instantiated per
// number of valid rows so the inner loop has no row checks. Columns split into a left border,
// an interior where every tap is inside the row (8 outputs per vector step, masked loads and
// stores for the last < 8), and a right border (scalar with bounds checks).
// Stride 2 de-interleaves with in-lane shuffles only and undoes the lane order once per vector
// (vpermpd) right before the store.
// General path: per output row, dst = bias, then one pass per valid (kh, kw) tap over the
// interior columns (contiguous loads for stride_w 1, gathers otherwise), then the activation.
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/eltwise/vecmath_avx2.h"

namespace facet::ops {
namespace {

using vec_avx2::first_n_mask;

// Activation resolved for one plane (PRelu becomes leaky with the channel's slope).
struct PlaneAct {
  DwActKind kind;
  float lo, hi, alpha;
  __m256 vlo, vhi, valpha;
};

PlaneAct make_act(const DwActivation& a, int64_t c) {
  PlaneAct r;
  r.kind = a.kind;
  r.lo = a.alpha;
  r.hi = a.beta;
  r.alpha = a.alpha;
  if (a.kind == DwActKind::kPRelu) {
    r.kind = DwActKind::kLeakyRelu;
    r.alpha = a.slope[c];
  }
  r.vlo = _mm256_set1_ps(r.lo);
  r.vhi = _mm256_set1_ps(r.hi);
  r.valpha = _mm256_set1_ps(r.alpha);
  return r;
}

inline float act_scalar(const PlaneAct& a, float v) {
  switch (a.kind) {
    case DwActKind::kRelu: return v < 0.0f ? 0.0f : v;
    case DwActKind::kClip: {
      float t = v < a.lo ? a.lo : v;
      return t > a.hi ? a.hi : t;
    }
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu: return v < 0.0f ? a.alpha * v : v;
    case DwActKind::kHardSwish: {
      float t = v / 6.0f + 0.5f;
      t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
      return v * t;
    }
    case DwActKind::kSigmoid: return 1.0f / (1.0f + std::exp(-v));
    default: return v;
  }
}

inline __m256 act_vec(const PlaneAct& a, __m256 v) {
  switch (a.kind) {
    case DwActKind::kRelu: return _mm256_max_ps(_mm256_setzero_ps(), v);
    case DwActKind::kClip: return _mm256_min_ps(a.vhi, _mm256_max_ps(a.vlo, v));
    case DwActKind::kLeakyRelu:
    case DwActKind::kPRelu:
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, a.valpha),
                              _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
    case DwActKind::kHardSwish: {
      __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
      t = _mm256_min_ps(_mm256_set1_ps(1.0f), _mm256_max_ps(_mm256_setzero_ps(), t));
      return _mm256_mul_ps(v, t);
    }
    case DwActKind::kSigmoid: return vec_avx2::sigmoid_avx2(v);
    default: return v;
  }
}

// Scalar output at column ox with bounds checks (borders).
template <int S>
inline float tap3_scalar(const float* const* rows, const float* const* wrows, int nr, int64_t ox,
                         int64_t pl, int64_t in_w, float bias) {
  float acc = bias;
  const int64_t ix0 = ox * S - pl;
  for (int r = 0; r < nr; ++r) {
    for (int kw = 0; kw < 3; ++kw) {
      const int64_t ix = ix0 + kw;
      if (ix >= 0 && ix < in_w) acc += rows[r][ix] * wrows[r][kw];
    }
  }
  return acc;
}

// Interior column range [x0, x1) of a 3-wide stride-S window: every tap inside [0, in_w).
template <int S>
inline void interior3(int64_t pl, int64_t in_w, int64_t out_w, int64_t* x0, int64_t* x1) {
  int64_t a = (pl + S - 1) / S;
  int64_t b = in_w - 3 + pl >= 0 ? (in_w - 3 + pl) / S + 1 : 0;
  if (b > out_w) b = out_w;
  if (a > b) a = b;
  *x0 = a;
  *x1 = b;
}

// Stride-1 vector of 8 outputs starting at column ox; n < 8 uses masked loads.
template <int NR, bool kMasked>
inline __m256 row3s1_vec(const float* const* rows, const __m256 (*w)[3], int64_t ix, __m256 vb,
                         __m256i mask) {
  __m256 acc[NR];
  for (int r = 0; r < NR; ++r) {
    const float* s = rows[r] + ix;
    __m256 a0, a1, a2;
    if (kMasked) {
      a0 = _mm256_maskload_ps(s, mask);
      a1 = _mm256_maskload_ps(s + 1, mask);
      a2 = _mm256_maskload_ps(s + 2, mask);
    } else {
      a0 = _mm256_loadu_ps(s);
      a1 = _mm256_loadu_ps(s + 1);
      a2 = _mm256_loadu_ps(s + 2);
    }
    __m256 t = _mm256_mul_ps(a0, w[r][0]);
    t = _mm256_fmadd_ps(a1, w[r][1], t);
    acc[r] = _mm256_fmadd_ps(a2, w[r][2], t);
  }
  __m256 sum = _mm256_add_ps(vb, acc[0]);
  for (int r = 1; r < NR; ++r) sum = _mm256_add_ps(sum, acc[r]);
  return sum;
}

// Even and odd elements of the 16 floats at s, in the lane order of vshufps:
// evens = [0 2 8 10 | 4 6 12 14], odds likewise shifted by one.
inline void deinterleave16(__m256 lo, __m256 hi, __m256* ev, __m256* od) {
  *ev = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
  *od = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
}

// Stride-2 vector of 8 outputs; result is in shuffled lane order (caller permutes).
template <int NR, bool kMasked>
inline __m256 row3s2_vec(const float* const* rows, const __m256 (*w)[3], int64_t ix, __m256 vb,
                         __m256i mlo, __m256i mhi) {
  __m256 acc[NR];
  for (int r = 0; r < NR; ++r) {
    const float* s = rows[r] + ix;
    __m256 l0, l1, m0, m1;
    if (kMasked) {
      l0 = _mm256_maskload_ps(s, mlo);
      l1 = _mm256_maskload_ps(s + 8, mhi);
      m0 = _mm256_maskload_ps(s + 1, mlo);
      m1 = _mm256_maskload_ps(s + 9, mhi);
    } else {
      l0 = _mm256_loadu_ps(s);
      l1 = _mm256_loadu_ps(s + 8);
      m0 = _mm256_loadu_ps(s + 1);
      m1 = _mm256_loadu_ps(s + 9);
    }
    __m256 e0, o0, e1, o1;
    deinterleave16(l0, l1, &e0, &o0);
    deinterleave16(m0, m1, &e1, &o1);  // o1 = taps at +2
    (void)e1;
    __m256 t = _mm256_mul_ps(e0, w[r][0]);
    t = _mm256_fmadd_ps(o0, w[r][1], t);
    acc[r] = _mm256_fmadd_ps(o1, w[r][2], t);
  }
  __m256 sum = _mm256_add_ps(vb, acc[0]);
  for (int r = 1; r < NR; ++r) sum = _mm256_add_ps(sum, acc[r]);
  return sum;
}

inline __m256 unshuffle_s2(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

template <int S, int NR>
void row3(const float* const* rows, const float* const* wrows, float* dst, int64_t out_w,
          int64_t in_w, int64_t pl, float bias, const PlaneAct& act) {
  int64_t x0, x1;
  interior3<S>(pl, in_w, out_w, &x0, &x1);
  for (int64_t ox = 0; ox < x0; ++ox)
    dst[ox] = act_scalar(act, tap3_scalar<S>(rows, wrows, NR, ox, pl, in_w, bias));
  __m256 w[3][3];
  for (int r = 0; r < NR; ++r)
    for (int k = 0; k < 3; ++k) w[r][k] = _mm256_set1_ps(wrows[r][k]);
  const __m256 vb = _mm256_set1_ps(bias);
  int64_t ox = x0;
  const __m256i none = _mm256_setzero_si256();
  if (S == 1) {
    for (; ox + 8 <= x1; ox += 8) {
      __m256 v = row3s1_vec<NR, false>(rows, w, ox - pl, vb, none);
      _mm256_storeu_ps(dst + ox, act_vec(act, v));
    }
    if (ox < x1) {
      const __m256i m = first_n_mask(x1 - ox);
      __m256 v = row3s1_vec<NR, true>(rows, w, ox - pl, vb, m);
      _mm256_maskstore_ps(dst + ox, m, act_vec(act, v));
      ox = x1;
    }
  } else {
    for (; ox + 8 <= x1; ox += 8) {
      __m256 v = row3s2_vec<NR, false>(rows, w, 2 * ox - pl, vb, none, none);
      _mm256_storeu_ps(dst + ox, unshuffle_s2(act_vec(act, v)));
    }
    if (ox < x1) {
      // Outputs n = x1 - ox read 2n + 1 floats from ix; loads cover ix..ix+2n and ix+1..ix+2n.
      const int64_t n = x1 - ox;
      const __m256i mlo = first_n_mask(2 * n > 8 ? 8 : 2 * n);
      const __m256i mhi = first_n_mask(2 * n > 8 ? 2 * n - 8 : 0);
      __m256 v = unshuffle_s2(act_vec(act, row3s2_vec<NR, true>(rows, w, 2 * ox - pl, vb, mlo, mhi)));
      _mm256_maskstore_ps(dst + ox, first_n_mask(n), v);
      ox = x1;
    }
  }
  for (; ox < out_w; ++ox)
    dst[ox] = act_scalar(act, tap3_scalar<S>(rows, wrows, NR, ox, pl, in_w, bias));
}

template <int S>
void dw3x3(const DwConvParams& p, const float* input, const float* weight, const float* bias,
           float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_h * p.in_w;
  const int64_t out_plane = p.out_h * p.out_w;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    const float* src = input + plane * in_plane;
    const float* w = weight + c * 9;
    float* dst = output + plane * out_plane;
    const float b = bias != nullptr ? bias[c] : 0.0f;
    const PlaneAct act = make_act(p.act, c);
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      const float* rows[3];
      const float* wrows[3];
      int nr = 0;
      for (int kh = 0; kh < 3; ++kh) {
        const int64_t iy = oy * S - p.pad_top + kh;
        if (iy < 0 || iy >= p.in_h) continue;
        rows[nr] = src + iy * p.in_w;
        wrows[nr] = w + kh * 3;
        ++nr;
      }
      float* drow = dst + oy * p.out_w;
      switch (nr) {
        case 3: row3<S, 3>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        case 2: row3<S, 2>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        case 1: row3<S, 1>(rows, wrows, drow, p.out_w, p.in_w, p.pad_left, b, act); break;
        default: {
          const float v = act_scalar(act, b);
          for (int64_t ox = 0; ox < p.out_w; ++ox) drow[ox] = v;
        }
      }
    }
  }
}

}  // namespace

void dwconv2d_f32_3x3s1_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<1>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_3x3s2_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end) {
  dw3x3<2>(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_general_avx2(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_h * p.in_w;
  const int64_t out_plane = p.out_h * p.out_w;
  const int64_t ksize = p.kernel_h * p.kernel_w;
  const int64_t sw = p.stride_w, dw = p.dilation_w, pl = p.pad_left;
  const __m256i vidx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                          _mm256_set1_epi32(static_cast<int>(sw)));
  const bool can_gather = sw * 8 < (int64_t(1) << 30);
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    const float* src = input + plane * in_plane;
    const float* w = weight + c * ksize;
    float* dst = output + plane * out_plane;
    const float b = bias != nullptr ? bias[c] : 0.0f;
    const PlaneAct act = make_act(p.act, c);
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      float* drow = dst + oy * p.out_w;
      for (int64_t ox = 0; ox < p.out_w; ++ox) drow[ox] = b;
      for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
        const int64_t iy = oy * p.stride_h - p.pad_top + kh * p.dilation_h;
        if (iy < 0 || iy >= p.in_h) continue;
        const float* srow = src + iy * p.in_w;
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
          const float wv = w[kh * p.kernel_w + kw];
          const __m256 vw = _mm256_set1_ps(wv);
          const int64_t off = kw * dw - pl;  // ix = ox * sw + off
          // Columns with 0 <= ox*sw + off < in_w.
          int64_t xa = off >= 0 ? 0 : (-off + sw - 1) / sw;
          int64_t xb = (p.in_w - 1 - off) >= 0 ? (p.in_w - 1 - off) / sw + 1 : 0;
          if (xb > p.out_w) xb = p.out_w;
          if (xa > xb) xa = xb;
          int64_t ox = xa;
          if (sw == 1) {
            for (; ox + 8 <= xb; ox += 8) {
              __m256 d = _mm256_loadu_ps(drow + ox);
              _mm256_storeu_ps(drow + ox, _mm256_fmadd_ps(_mm256_loadu_ps(srow + ox + off), vw, d));
            }
          } else if (can_gather) {
            for (; ox + 8 <= xb; ox += 8) {
              __m256 d = _mm256_loadu_ps(drow + ox);
              __m256 s = _mm256_i32gather_ps(srow + ox * sw + off, vidx, 4);
              _mm256_storeu_ps(drow + ox, _mm256_fmadd_ps(s, vw, d));
            }
          }
          for (; ox < xb; ++ox) drow[ox] += srow[ox * sw + off] * wv;
        }
      }
      int64_t ox = 0;
      for (; ox + 8 <= p.out_w; ox += 8)
        _mm256_storeu_ps(drow + ox, act_vec(act, _mm256_loadu_ps(drow + ox)));
      for (; ox < p.out_w; ++ox) drow[ox] = act_scalar(act, drow[ox]);
    }
  }
}

}  // namespace facet::ops
